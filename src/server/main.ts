/** Entry point: config from the environment, build, listen, and stop cleanly on SIGTERM/SIGINT. */
import { buildService } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { stdoutSink } from './logSink.js';
import { createLogger } from './logger.js';

/** How long a clean stop waits for the last log lines to reach stdout. */
const LOG_DRAIN_MS = 500;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`metsony: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const sink = stdoutSink();
  const service = await buildService(config, { log: createLogger(config.logLevel, sink) });
  const { app, log } = service;
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info({ port, host: config.host, store: config.databaseUrl ? 'postgres' : 'sqlite' }, 'listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Armed before anything else; the sink neither blocks nor runs at exit, so nothing can hold it up.
    const hardStop = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 1000);
    hardStop.unref();
    log.info({ signal }, 'shutting down');
    const exit = async (code: number) => {
      await sink.drain(LOG_DRAIN_MS);
      process.exit(code);
    };
    service.close().then(
      () => {
        log.info('stopped');
        return exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        return exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`metsony: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
