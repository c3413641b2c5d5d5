/** The real service, in this process, on an ephemeral port with a temporary DATA_DIR. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { buildService, type GoogleOverrides, type Overrides, type Service } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { postgresSchema } from './stores.js';

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
  // Most tests sign up over HTTP as a script would: the proof-of-work gate is off for them, on in the tests
  // that check it (test/integration/challenges.test.ts, botSignals.test.ts) and in the e2e suite (E2E_SERVER_ENV).
  SIGNUP_CHALLENGE: 'off',
};

export type Running = {
  url: string;
  wsUrl: string;
  dataDir: string;
  /** The PostgreSQL schema's URL when the server keeps its data there (see serversOnPostgres). */
  databaseUrl: string | undefined;
  service: Service;
  logs: () => string;
  stop: () => Promise<void>;
};

/** Set by serversOnPostgres: the database under which this file's servers get schemas. */
let postgresUrl: string | undefined;
const schemas: Array<{ drop(): Promise<void> }> = [];

/**
 * Opt-in, at the top of a test file: when DATABASE_URL is set, every server
 * the file starts keeps its data in a PostgreSQL schema of its own (dropped
 * after the file); without it, SQLite in DATA_DIR as always. Not for the
 * forensic suites: they read DATA_DIR's bytes.
 */
export function serversOnPostgres(): void {
  postgresUrl = process.env.DATABASE_URL;
  afterAll(async () => {
    for (const schema of schemas.splice(0)) await schema.drop();
  });
}

/** A fresh schema's URL when the file opted in with serversOnPostgres and DATABASE_URL is set, else undefined (SQLite). */
export async function serverDatabaseUrl(): Promise<string | undefined> {
  if (!postgresUrl) return undefined;
  const schema = await postgresSchema(postgresUrl);
  schemas.push(schema);
  return schema.url;
}

/** The settings under which a restarted server finds the data of `running`. */
export function sameData(running: Running): Record<string, string> {
  return { DATA_DIR: running.dataDir, ...(running.databaseUrl ? { DATABASE_URL: running.databaseUrl } : {}) };
}

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
  const databaseUrl = env.DATABASE_URL ?? (overrides.store ? undefined : await serverDatabaseUrl());
  const config = loadConfig({ ...TEST_DEFAULTS, ...env, DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
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
    databaseUrl,
    service,
    logs: () => output,
    stop: () => service.close(),
  };
}
