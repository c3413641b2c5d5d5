/**
 * A throwaway PostgreSQL cluster of the test's own (initdb + pg_ctl), on a
 * loopback port, that the test can stop at once and start again (never the
 * shared one). As root (CI) the binaries run as the `postgres` user, which
 * owns the data directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './inProcess.js';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

/** Why the helper cannot run here, or undefined when it can. */
export function postgresServerUnavailable(): string | undefined {
  if (!fs.existsSync(path.join(BIN, 'initdb')) || !fs.existsSync(path.join(BIN, 'pg_ctl'))) return `no initdb/pg_ctl in ${BIN} (set PG_BIN)`;
  if (asRoot && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root without a postgres user to run initdb as';
  return undefined;
}

function run(binary: string, args: string[]): void {
  const command = asRoot ? 'runuser' : path.join(BIN, binary);
  const argv = asRoot ? ['-u', 'postgres', '--', path.join(BIN, binary), ...args] : args;
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

export class PostgresServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PostgresServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-pg-'));
    if (asRoot) spawnSync('chown', ['postgres:postgres', dir]);
    run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    const server = new PostgresServer(await freePort(), dir);
    server.restart();
    return server;
  }

  /** Starts it (again) on the same port; returns once it accepts connections. */
  restart(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-o', options, '-l', path.join(this.dir, 'log'), '-w', '-t', '30', 'start']);
  }

  /** Stops it at once (immediate mode: connections are cut, as in a crash). */
  kill(): void {
    run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  /** Stops it if running and removes its files. */
  dispose(): void {
    spawnSync(asRoot ? 'runuser' : path.join(BIN, 'pg_ctl'), [...(asRoot ? ['-u', 'postgres', '--', path.join(BIN, 'pg_ctl')] : []), '-D', path.join(this.dir, 'data'), '-m', 'immediate', 'stop']);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
