/** The real service, in this process, on an ephemeral port with a temporary DATA_DIR. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { buildService, type GoogleOverrides, type Overrides, type Service } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';

/** Tests run many people from one address: limits are raised here, and lowered by the tests that check them. */
export const TEST_DEFAULTS: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'debug',
  MATCH_WIDEN_AFTER_MS: '400',
  RATE_SIGNUP: '100000/60',
  RATE_SIGNIN: '100000/60',
  RATE_MESSAGE: '100000/1',
  RATE_MESSAGE_BURST: '100000',
  RATE_FIND: '100000/60',
  RATE_DM: '100000/60',
  MAX_SOCKETS_PER_IP: '100000',
};

export type Running = { url: string; wsUrl: string; dataDir: string; service: Service; logs: () => string; stop: () => Promise<void> };

/** A free TCP port on 127.0.0.1 (for a test that must know the address before the server starts). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startService(env: Record<string, string> = {}, overrides: Overrides & GoogleOverrides = {}): Promise<Running> {
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-test-'));
  const config = loadConfig({ ...TEST_DEFAULTS, ...env, DATA_DIR: dataDir });
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      output += chunk.toString();
      done();
    },
  });
  const service = await buildService(config, { log: createLogger(config.logLevel, sink), ...overrides });
  await service.app.listen({ port: config.port, host: '127.0.0.1' });
  const address = service.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir,
    service,
    logs: () => output,
    stop: () => service.close(),
  };
}
