/**
 * `node --import tsx bench/storeStall.ts`: what sign-ups cost the main thread,
 * store against store in one process and one run, so that a busy machine
 * affects each alike: `KyselyStore.createAccount` with 32 in flight for 5 s
 * on a fresh database under DATA_DIR's filesystem (a temp dir), while the
 * event loop's delay is sampled (a relay waits that long for its turn).
 *   - main thread: better-sqlite3 on the main thread, synchronous=FULL (as before the SQLite thread);
 *   - thread, FULL: the SQLite thread, an fsync inside every commit;
 *   - thread, group commit: the SQLite thread as shipped.
 * Prints sign-ups/s and the event loop's delay p50 / p99 / max for each.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore } from '../src/server/store/kyselyStore.js';
import { migrateToLatest } from '../src/server/store/migrations.js';
import type { Database } from '../src/server/store/schema.js';
import { openSqliteStore } from '../src/server/store/sqlite.js';

const IN_FLIGHT = 32;
const DURATION_MS = 5000;

/**
 * How late a 1 ms timer fires, over and over: how long the event loop could
 * not turn. The last wait counts too (a loop blocked to the end never fires it).
 */
class StallProbe {
  private readonly lateMs: number[] = [];
  private last = performance.now();
  private readonly timer = setInterval(() => this.tick(), 1);

  private tick(): void {
    const now = performance.now();
    this.lateMs.push(Math.max(0, now - this.last - 1));
    this.last = now;
  }

  stop(): { p50: string; p99: string; max: string } {
    this.tick();
    clearInterval(this.timer);
    const sorted = this.lateMs.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
    return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]!.toFixed(1) };
  }
}

async function mainThreadStore(dir: string): Promise<KyselyStore> {
  const sqlite = new SqliteDatabase(path.join(dir, 'metsony.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('secure_delete = ON');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db as Kysely<unknown>);
  return new KyselyStore(db);
}

async function measure(name: string, open: (dir: string) => Promise<KyselyStore>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-stall-'));
  const store = await open(dir);
  let made = 0;
  const stalls = new StallProbe();
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < deadline) {
        const id = randomBytes(9).toString('base64url');
        await store.createAccount({ id, nickname: 'n', interests: ['chess'], createdAt: new Date().toISOString(), codeHash: `c${id}` }, `t${id}`);
        made++;
      }
    }),
  );
  const delay = stalls.stop();
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { name, signUpsPerSecond: Math.round(made / seconds), loopDelayMs: delay };
}

const results = [
  await measure('main thread, FULL (before)', mainThreadStore),
  await measure('thread, FULL', (dir) => openSqliteStore(dir, { groupCommit: false })),
  await measure('thread, group commit', (dir) => openSqliteStore(dir)),
];
process.stdout.write(`createAccount, ${IN_FLIGHT} in flight, ${DURATION_MS / 1000} s each; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
for (const r of results) {
  process.stdout.write(`  ${r.name.padEnd(28)} ${String(r.signUpsPerSecond).padStart(6)} sign-ups/s   event-loop delay p50 ${r.loopDelayMs.p50} / p99 ${r.loopDelayMs.p99} / max ${r.loopDelayMs.max} ms\n`);
}
