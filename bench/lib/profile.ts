/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and totals self time per
 * function, mapping dist/*.js back to src/*.ts through the source maps tsc
 * writes beside them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type Hot = { fn: string; where: string; ms: number; pct: number };
export type ProfileSummary = {
  file: string;
  /** Sampled time, idle excluded. */
  busyMs: number;
  /** Self time by origin: src, a package under node_modules, node internals, GC, … */
  byOrigin: Array<{ origin: string; ms: number; pct: number }>;
  /** Top self-time functions overall. */
  top: Hot[];
  /** Top self-time functions whose code is in src/. */
  topInSrc: Hot[];
};

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** For each generated line (0-based), its segments [generatedColumn, sourceIndex, sourceLine]. */
function decodeMappings(mappings: string): Array<Array<[number, number, number]>> {
  const lines: Array<Array<[number, number, number]>> = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Array<[number, number, number]> = [];
    let column = 0;
    for (const segment of lineText.split(',')) {
      if (!segment) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0] ?? 0;
      if (values.length >= 4) {
        source += values[1]!;
        sourceLine += values[2]!;
        sourceColumn += values[3]!;
        segments.push([column, source, sourceLine]);
      }
    }
    lines.push(segments);
  }
  void sourceColumn;
  return lines;
}

const maps = new Map<string, { sources: string[]; lines: Array<Array<[number, number, number]>> } | null>();

/** dist/…/x.js:line:col → src/…/x.ts:line (1-based), when a source map is there. */
function original(file: string, line: number, column: number): string | undefined {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      const raw = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[]; mappings: string };
      map = { sources: raw.sources.map((s) => path.resolve(path.dirname(file), s)), lines: decodeMappings(raw.mappings) };
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  if (!map) return undefined;
  const segments = map.lines[line];
  if (!segments || segments.length === 0) return undefined;
  let best = segments[0]!;
  for (const s of segments) if (s[0] <= column) best = s;
  return `${map.sources[best[1]]}:${best[2] + 1}`;
}

function originOf(frame: CallFrame, root: string): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (file.startsWith(path.join(root, 'dist/'))) return 'src (server)';
  return path.relative(root, file);
}

export function summarizeProfile(file: string, root: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i+1] is the time until the next sample: charge it to sample i.
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  const perFunction = new Map<string, { fn: string; where: string; us: number; src: boolean }>();
  const perOrigin = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const origin = originOf(frame, root);
    perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + us);
    let where = frame.url ? `${frame.url.replace(/^file:\/\//, '')}:${frame.lineNumber + 1}` : '';
    let src = false;
    if (origin === 'src (server)') {
      const mapped = original(fileURLToPath(frame.url), frame.lineNumber, frame.columnNumber);
      where = path.relative(root, mapped ?? fileURLToPath(frame.url));
      if (!mapped) where += `:${frame.lineNumber + 1}`;
      src = true;
    } else if (where.includes('/node_modules/')) {
      where = where.slice(where.lastIndexOf('/node_modules/') + '/node_modules/'.length);
    }
    const fn = frame.functionName || '(anonymous)';
    const key = `${fn}@${where}`;
    const entry = perFunction.get(key) ?? { fn, where, us: 0, src };
    entry.us += us;
    perFunction.set(key, entry);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(1, busy)) / 10;
  const sorted = [...perFunction.values()].sort((a, b) => b.us - a.us);
  const hot = (e: { fn: string; where: string; us: number }): Hot => ({ fn: e.fn, where: e.where, ms: Math.round(e.us / 1000), pct: pct(e.us) });
  return {
    file,
    busyMs: Math.round(busy / 1000),
    byOrigin: [...perOrigin.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([origin, us]) => ({ origin, ms: Math.round(us / 1000), pct: pct(us) })),
    top: sorted.slice(0, topN).map(hot),
    topInSrc: sorted.filter((e) => e.src).slice(0, topN).map(hot),
  };
}

/** The newest main-thread .cpuprofile in a folder (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is main). */
export function newestProfile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const all = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const main = all.filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  const files = (main.length ? main : all)
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0];
}
