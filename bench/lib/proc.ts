/**
 * Child processes of the orchestrator: the server under test, the baseline,
 * the load generators. Every child is tracked and killed when the
 * orchestrator exits for any reason (normal end, exception, Ctrl-C, SIGTERM);
 * the targets also get a tiny detached watchdog that kills them if the
 * orchestrator itself is killed with SIGKILL.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpClient } from './http.js';
import type { CommonParams, Target } from './loadgen.js';
import { sleep } from './sys.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH = path.join(ROOT, 'bench');

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let cleanupInstalled = false;

function killAll(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
      killAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    killAll();
    process.exit(1);
  });
}

export function track(child: ChildProcess): ChildProcess {
  installCleanup();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * A detached process that SIGKILLs `pid` (and removes its temp folder) if
 * this process disappears, and ends when `pid` does.
 */
function watchdog(pid: number, dir: string | undefined): void {
  const script = `
    const [parent, child] = process.argv.slice(1, 3).map(Number);
    const dir = process.argv[3];
    const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
    setInterval(() => {
      if (!alive(child)) process.exit(0);
      if (!alive(parent)) {
        try { process.kill(child, 'SIGKILL'); } catch {}
        setTimeout(() => { if (dir) require('node:fs').rmSync(dir, { recursive: true, force: true }); process.exit(0); }, 300);
      }
    }, 500);`;
  const args = ['-e', script, String(process.pid), String(pid), ...(dir ? [dir] : [])];
  const dog = spawn(process.execPath, args, { detached: true, stdio: 'ignore' });
  dog.unref();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export type TargetProcess = {
  kind: Target;
  pid: number;
  url: string;
  wsUrl: string;
  dataDir: string | undefined;
  cpuProfDir: string | undefined;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the temp DATA_DIR. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
};

/** The server runs with the same Node flags as `npm start` (read from package.json, so there is one place to change them). */
const SERVER_NODE_FLAGS: string[] = (() => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const m = /\bnode ((?:--\S+ )*)dist\/server\/main\.js/.exec(pkg.scripts.start ?? '');
  return m?.[1] ? m[1].trim().split(/\s+/) : [];
})();

/** Every rate limit, raised far above what the generators offer. */
const RAISED_LIMITS: Record<string, string> = {
  ...Object.fromEntries(['RATE_SIGNUP', 'RATE_SIGNIN', 'RATE_MESSAGE', 'RATE_FIND', 'RATE_DM', 'RATE_CONNECT', 'RATE_REPORT', 'RATE_TRANSLATE', 'RATE_TRANSLATE_IP'].map((name) => [name, '100000000/1'])),
  RATE_MESSAGE_BURST: '100000000',
  WS_FRAME_BURST: '100000000',
  WS_FRAMES_PER_SECOND: '100000000',
  // Proof of work at sign-up is a gate, not capacity: off unless a scenario turns it on (`signup` measures both).
  SIGNUP_CHALLENGE: 'off',
};

/**
 * Starts the real server (`node dist/server/main.js`, embedded defaults, a
 * temp DATA_DIR, LOG_LEVEL=warn, rate limits and MAX_SOCKETS_PER_IP raised) or the baseline relay, on a
 * free port of 127.0.0.1, and waits until GET /healthz answers.
 * `baselineScript`: another baseline in bench/ (e.g. baseline-socketio.ts), with `env`; `nodeFlags`: extra flags for node.
 */
export async function startTarget(kind: Target, opts: { env?: Record<string, string>; cpuProfDir?: string; baselineScript?: string; nodeFlags?: string[]; startMs?: number } = {}): Promise<TargetProcess> {
  const port = await freePort();
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  let args: string[];
  let dataDir: string | undefined;
  const env: Record<string, string | undefined> = { ...inherited, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' };
  if (kind === 'server') {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-bench-'));
    tempDirs.add(dataDir);
    // Rate limits and the per-IP socket cap are safety policy, not capacity: raised so a load from one
    // host is not capped, but still checked on every frame, so their cost is in the figures.
    // The per-account cap stays at its default (the generators put at most 5 sockets on a token).
    Object.assign(env, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...RAISED_LIMITS, MAX_SOCKETS_PER_IP: '1000000', ...opts.env });
    args = [...SERVER_NODE_FLAGS, ...(opts.nodeFlags ?? []), ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []), path.join(ROOT, 'dist/server/main.js')];
  } else {
    Object.assign(env, opts.env);
    args = [...(opts.nodeFlags ?? []), '--import', 'tsx', path.join(BENCH, opts.baselineScript ?? 'baseline-relay.ts')];
  }
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  watchdog(child.pid!, dataDir);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const url = `http://127.0.0.1:${port}`;
  const http = new HttpClient(url, 1);
  const deadline = Date.now() + (opts.startMs ?? 30_000);
  try {
    for (;;) {
      if (gone) throw new Error(`${kind} exited during start-up:\n${output}`);
      if (Date.now() > deadline) throw new Error(`${kind} did not answer /healthz within ${(opts.startMs ?? 30_000) / 1000} s:\n${output}`);
      try {
        const reply = await http.request({ method: 'GET', path: '/healthz' }, 1000);
        if (reply.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  } catch (err) {
    child.kill('SIGKILL');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  } finally {
    http.close();
  }

  return {
    kind,
    pid: child.pid!,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir,
    cpuProfDir: opts.cpuProfDir,
    output: () => output,
    stop: async (graceMs = 12_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      if (dataDir) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        tempDirs.delete(dataDir);
      }
      return code;
    },
  };
}

let nextAddress = 2;
/** Eight 127.0.0.x source addresses not used by the previous generators of this run (fewer TIME_WAIT clashes). */
export function allocateAddresses(count = 8): { addressBase: number; addressCount: number } {
  if (nextAddress + count > 254) nextAddress = 2;
  const addressBase = nextAddress;
  nextAddress += count;
  return { addressBase, addressCount: count };
}

/**
 * Runs bench/loadgen/<name>.ts as a child process with the given params,
 * relays its stderr (progress) indented, and returns the JSON of its one
 * stdout line. Killed after `timeoutMs`.
 */
export async function runLoadgen<R>(name: string, target: TargetProcess, extra: Record<string, unknown>, timeoutMs: number, addresses = 8): Promise<R> {
  const common: CommonParams = { target: target.kind, url: target.url, wsUrl: target.wsUrl, pid: target.pid, ...allocateAddresses(addresses) };
  const file = path.join(BENCH, 'loadgen', `${name}.ts`);
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify({ ...common, ...extra })], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderrTail = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    const text = d.toString();
    stderrTail = (stderrTail + text).slice(-4000);
    process.stderr.write(text.replace(/^(?=.)/gm, '    '));
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (timedOut) throw new Error(`loadgen ${name} against ${target.kind} took longer than ${timeoutMs / 1000} s and was killed`);
  const line = stdout.trim().split('\n').pop() ?? '';
  let result: (R & { error?: string }) | undefined;
  try {
    result = JSON.parse(line) as R & { error?: string };
  } catch {
    throw new Error(`loadgen ${name} against ${target.kind} exited with ${code} and no result line:\n${stderrTail}`);
  }
  if (result.error) throw new Error(`loadgen ${name} against ${target.kind} failed: ${result.error}`);
  return result;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds when dist/server/main.js is missing or older than src/server or
 * src/shared: `npm run build`, and if that fails (e.g. the web app does not
 * build right now), `npm run build:server`, which is all the bench needs.
 */
export function ensureBuilt(log: (line: string) => void): { built: boolean; note?: string } {
  const main = path.join(ROOT, 'dist/server/main.js');
  const srcNewest = Math.max(newestMtime(path.join(ROOT, 'src/server')), newestMtime(path.join(ROOT, 'src/shared')));
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= srcNewest) return { built: false };
  log(fs.existsSync(main) ? 'dist/server is older than src: npm run build' : 'dist/server/main.js is missing: npm run build');
  const full = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (full.status === 0) return { built: true };
  const tail = `${full.stdout}\n${full.stderr}`.trim().split('\n').slice(-6).join('\n');
  log(`npm run build failed; building the server alone (npm run build:server). Tail of the failure:\n${tail}`);
  const server = spawnSync('npm', ['run', 'build:server'], { cwd: ROOT, encoding: 'utf8' });
  if (server.status !== 0) {
    throw new Error(`npm run build:server failed:\n${`${server.stdout}\n${server.stderr}`.trim().split('\n').slice(-20).join('\n')}`);
  }
  return { built: true, note: 'npm run build failed (web app); the server was built alone with npm run build:server' };
}

/** Filesystem type of a directory, by name when known (for "the database is on disk"). */
export function filesystemOf(dir: string): string {
  try {
    const type = fs.statfsSync(dir).type;
    const names: Record<number, string> = { 0x01021994: 'tmpfs', 0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs' };
    return names[type] ?? `0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
}
