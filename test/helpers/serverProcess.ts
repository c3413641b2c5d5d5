/** The real server as a child process (`node dist-less`, via tsx), for signals, kill -9 and output checks. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverDatabaseUrl, TEST_DEFAULTS } from './inProcess.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ServerProcess = {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process printed on stdout and stderr so far. */
  output(): string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, no goodbye. */
  kill(): Promise<void>;
};

/** `startTimeoutMs`: how long to wait for its "listening" line (default 30 s; tests starting several at once on a busy machine need more). */
export async function startServerProcess(
  opts: { env?: Record<string, string>; dataDir?: string; maxOpenFiles?: number; startTimeoutMs?: number } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-proc-'));
  // The embedded defaults unless a test asks otherwise: CI's DATABASE_URL / REDIS_URL are for the contract suites,
  // and for the servers of files that call serversOnPostgres().
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const databaseUrl = opts.env?.DATABASE_URL ?? (await serverDatabaseUrl());
  const args = ['--import', 'tsx', path.join(ROOT, 'src/server/main.ts')];
  // A lower open-file limit, set by the shell just before it becomes the server.
  const [command, argv] = opts.maxOpenFiles
    ? ['bash', ['-c', `ulimit -n ${opts.maxOpenFiles} && exec "$0" "$@"`, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...inherited, ...TEST_DEFAULTS, DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start (the "listening" line needs LOG_LEVEL info or lower):\n${output}`));
    }, opts.startTimeoutMs ?? 30_000);
    const onData = () => {
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(() => reject(new Error(`server exited early:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dataDir,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
