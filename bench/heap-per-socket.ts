/**
 * `node --import tsx bench/heap-per-socket.ts [server|baseline] [sockets] [--retainers=Name,…]`:
 * where a held socket's memory goes. Starts the target (as the `sockets`
 * scenario does), takes a heap snapshot (SIGUSR2, `--heapsnapshot-signal`)
 * after the set-up, opens `sockets` sockets past `hello` → `ready`, takes
 * another, and prints the growth per socket by object kind (V8 type and
 * constructor name, self size), largest first, beside the growth of VmRSS.
 * Not part of `npm run bench`: a tool for the sockets figure in bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackAddresses, openClients } from './lib/clients.js';
import { createAccounts, HttpClient } from './lib/http.js';
import type { Target } from './lib/loadgen.js';
import { ensureBuilt, startTarget } from './lib/proc.js';
import { rssKiB, sleep } from './lib/sys.js';

type Snapshot = {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
};

/** Self size and count by "type:name", for every node of a .heapsnapshot. */
function aggregate(file: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]!]!;
    // Strings and code are grouped by type only: their "names" are their contents.
    const name = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' ? snap.strings[snap.nodes[i + nameAt]!]! : '';
    const key = `${type}:${name.slice(0, 60)}`;
    const entry = out.get(key) ?? { size: 0, count: 0 };
    entry.size += snap.nodes[i + sizeAt]!;
    entry.count++;
    out.set(key, entry);
  }
  return out;
}

type Graph = Snapshot & { edges: number[]; snapshot: { meta: { edge_fields: string[]; edge_types: [string[]] } } };

/** For a few objects named `name` (constructor) created after the first snapshot: who holds them, `depth` levels up. */
function retainers(file: string, firstIds: Set<number>, name: string, samples = 3, depth = 4): string[] {
  const g = JSON.parse(fs.readFileSync(file, 'utf8')) as Graph;
  const nf = g.snapshot.meta.node_fields.length;
  const ef = g.snapshot.meta.edge_fields.length;
  const [nameAt, idAt, edgeCountAt] = ['name', 'id', 'edge_count'].map((f) => g.snapshot.meta.node_fields.indexOf(f)) as [number, number, number];
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => g.snapshot.meta.edge_fields.indexOf(f)) as [number, number, number];
  const edgeTypes = g.snapshot.meta.edge_types[0];
  const parents = new Map<number, Array<{ from: number; edge: string }>>();
  let e = 0;
  for (let n = 0; n < g.nodes.length; n += nf) {
    for (let k = 0; k < g.nodes[n + edgeCountAt]!; k++, e += ef) {
      const type = edgeTypes[g.edges[e + edgeTypeAt]!]!;
      if (type === 'weak') continue;
      const raw = g.edges[e + edgeNameAt]!;
      const edge = type === 'element' || type === 'hidden' ? `[${raw}]` : g.strings[raw]!;
      const to = g.edges[e + toAt]!;
      const list = parents.get(to) ?? [];
      list.push({ from: n, edge });
      parents.set(to, list);
    }
  }
  const label = (n: number) => g.strings[g.nodes[n + nameAt]!]!.slice(0, 40);
  const out: string[] = [];
  let found = 0;
  for (let n = 0; n < g.nodes.length && found < samples; n += nf) {
    if (label(n) !== name || firstIds.has(g.nodes[n + idAt]!)) continue;
    found++;
    let frontier = [{ node: n, path: name }];
    for (let level = 0; level < depth; level++) {
      frontier = frontier.flatMap(({ node, path }) => (parents.get(node) ?? []).slice(0, 3).map((p) => ({ node: p.from, path: `${label(p.from)}.${p.edge} → ${path}` })));
    }
    out.push(...frontier.slice(0, 4).map((f) => `  ${f.path}`), '');
  }
  return out;
}

function ids(file: string): Set<number> {
  const g = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const nf = g.snapshot.meta.node_fields.length;
  const idAt = g.snapshot.meta.node_fields.indexOf('id');
  const set = new Set<number>();
  for (let n = 0; n < g.nodes.length; n += nf) set.add(g.nodes[n + idAt]!);
  return set;
}

async function snapshot(pid: number, dir: string): Promise<string> {
  const before = new Set(fs.readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const fresh = fs.readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    // Written in one go; wait until its size stops changing.
    if (fresh[0]) {
      const file = path.join(dir, fresh[0]);
      const size = fs.statSync(file).size;
      await sleep(1000);
      if (size > 0 && fs.statSync(file).size === size) return file;
    }
    if (Date.now() > deadline) throw new Error('no heap snapshot within 60 s');
    await sleep(200);
  }
}

async function run(): Promise<void> {
  const kind = (process.argv[2] ?? 'server') as Target;
  const sockets = Number(process.argv.slice(3).find((a) => !a.startsWith('--')) ?? 4000);
  ensureBuilt((line) => process.stderr.write(`${line}\n`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-heap-'));
  const target = await startTarget(kind, { env: {}, nodeFlags: [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${dir}`] });
  try {
    let tokenOf = (_i: number) => 'baseline';
    if (kind === 'server') {
      const http = new HttpClient(target.url);
      const { accounts } = await createAccounts(http, Math.ceil(sockets / 5));
      http.close();
      tokenOf = (i) => accounts[i % accounts.length]!.token;
    }
    // One socket opened and closed first, so lazily created per-process state is in both snapshots.
    const warm = await openClients({ url: target.wsUrl, count: 50, tokenOf, localAddresses: loopbackAddresses(4, 2) });
    for (const c of warm.clients) c.ws.close();
    await sleep(1000);
    const rssBefore = rssKiB(target.pid);
    const firstFile = await snapshot(target.pid, dir);
    const first = aggregate(firstFile);
    const opened = await openClients({ url: target.wsUrl, count: sockets, tokenOf, localAddresses: loopbackAddresses(8, 10) });
    await sleep(2000);
    const rssAfter = rssKiB(target.pid);
    const secondFile = await snapshot(target.pid, dir);
    const second = aggregate(secondFile);
    const n = opened.opened;
    const rows: Array<{ key: string; bytes: number; count: number }> = [];
    for (const [key, after] of second) {
      const before = first.get(key) ?? { size: 0, count: 0 };
      rows.push({ key, bytes: (after.size - before.size) / n, count: (after.count - before.count) / n });
    }
    rows.sort((a, b) => b.bytes - a.bytes);
    const heapTotal = rows.reduce((sum, r) => sum + r.bytes, 0);
    const lines = [
      `${kind}: ${n} sockets held; VmRSS ${((rssAfter - rssBefore) / n).toFixed(2)} KiB per socket; JS heap (self sizes) ${(heapTotal / 1024).toFixed(2)} KiB per socket`,
      '  bytes/socket  objects/socket  kind',
      ...rows.filter((r) => Math.abs(r.bytes) >= 16).map((r) => `  ${r.bytes.toFixed(0).padStart(12)}  ${r.count.toFixed(2).padStart(14)}  ${r.key}`),
    ];
    // `--retainers=Timeout,Object`: who holds a few of the new objects of those names.
    const wanted = process.argv.find((a) => a.startsWith('--retainers='))?.slice('--retainers='.length).split(',') ?? [];
    if (wanted.length) {
      const firstIds = ids(firstFile);
      for (const name of wanted) lines.push(`retainers of new ${name}:`, ...retainers(secondFile, firstIds, name));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const c of opened.clients) c.ws.terminate();
  } finally {
    await target.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
