/**
 * Debian's nginx as a child of the test (not a daemon), running one of the
 * shipped site files under deploy/nginx/ with its upstream `server` lines and
 * its `listen` port replaced: what is tested is the file operators install.
 * Its pid file, logs and temp dirs live in a temporary prefix of its own.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './inProcess.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const START_WAIT_MS = 10_000;

export const nginxAvailable = (): boolean => spawnSync(NGINX_BIN, ['-v']).status === 0;

const UPSTREAM_BLOCK = /^upstream [\w-]+ \{\n[^}]*\}/gm;
const UPSTREAM_SERVER = /^([ \t]*)server 127\.0\.0\.1:\d+([^;\n]*);\n/gm;
const LISTEN = /^([ \t]*)listen (?:80|\[::\]:80);\n/gm;

/**
 * The site file with its upstream servers pointed at `nodePorts` and one
 * `listen` on 127.0.0.1:`port`. `replace`: further literal substitutions a
 * test needs (say, the Cloudflare ranges). Throws if the file no longer has
 * what is replaced, so a change to it cannot silently go untested.
 */
export function renderSite(file: string, port: number, nodePorts: number[], replace: Array<[string, string]> = []): string {
  let text = fs.readFileSync(path.join(ROOT, 'deploy/nginx', file), 'utf8');
  const blocks = [...text.matchAll(UPSTREAM_BLOCK)];
  const listens = [...text.matchAll(LISTEN)];
  if (blocks.length === 0 || listens.length === 0) throw new Error(`${file}: no upstream block or "listen 80" line to render`);
  // In each upstream block, its first `server` line (with its own options) becomes one line per node.
  text = text.replace(UPSTREAM_BLOCK, (block) => {
    const servers = [...block.matchAll(UPSTREAM_SERVER)];
    if (servers.length === 0) throw new Error(`${file}: an upstream block has no "server 127.0.0.1:PORT" line`);
    const [indent, options] = [servers[0]![1]!, servers[0]![2]!];
    let first = true;
    return block.replace(UPSTREAM_SERVER, () => {
      if (!first) return '';
      first = false;
      return nodePorts.map((p) => `${indent}server 127.0.0.1:${p}${options};\n`).join('');
    });
  });
  let first = true;
  text = text.replace(LISTEN, (_line, lead: string) => {
    if (!first) return '';
    first = false;
    return `${lead}listen 127.0.0.1:${port};\n`;
  });
  for (const [from, to] of replace) {
    if (!text.includes(from)) throw new Error(`${file}: "${from}" not found`);
    text = text.split(from).join(to);
  }
  return text;
}

export class Nginx {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly prefix: string,
    private readonly exited: Promise<void>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** nginx's own error log so far (for a failure message). */
  errorLog(): string {
    const file = path.join(this.prefix, 'error.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  }

  static async start(site: string, nodePorts: number[], replace: Array<[string, string]> = []): Promise<Nginx> {
    const port = await freePort();
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-nginx-'));
    // The workers run as nobody when the tests run as root: they must reach the prefix.
    fs.chmodSync(prefix, 0o755);
    fs.writeFileSync(path.join(prefix, 'metsony.conf'), renderSite(site, port, nodePorts, replace));
    const temp = (name: string) => `${name}_temp_path ${path.join(prefix, name)};`;
    fs.writeFileSync(
      path.join(prefix, 'nginx.conf'),
      [
        `pid ${path.join(prefix, 'nginx.pid')};`,
        `error_log ${path.join(prefix, 'error.log')} warn;`,
        'worker_processes 1;',
        'events { worker_connections 1024; }',
        'http {',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `  ${temp(name)}`),
        `  include ${path.join(prefix, 'metsony.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    const child = spawn(NGINX_BIN, ['-p', `${prefix}/`, '-e', path.join(prefix, 'error.log'), '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const nginx = new Nginx(port, child, prefix, exited);
    const deadline = Date.now() + START_WAIT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${output}${nginx.errorLog()}`);
      if (await listening(port)) return nginx;
      if (Date.now() > deadline) {
        await nginx.stop();
        throw new Error(`nginx did not listen within ${START_WAIT_MS} ms: ${output}${nginx.errorLog()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM (a fast stop: a graceful one would wait for every WebSocket to close), then the prefix is removed. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    fs.rmSync(this.prefix, { recursive: true, force: true });
  }
}

/** Whether something answers HTTP on the port (any status). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/nginx-start-probe', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}
