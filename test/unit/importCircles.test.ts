/**
 * No import circles under src/: every relative `import … from` and
 * `export … from` (type-only ones too) is an edge; a circle fails the test,
 * listing each one found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `from '…'` of import and export statements, and side-effect `import '…'`, spanning lines. */
const SPECIFIER = /(?:^|[\s;}])(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]/g;

/** The file a relative specifier names: `./x.js` is `./x.ts` or `./x.tsx` in the sources. */
function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|ts|tsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const edges = new Set<string>();
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2];
      if (!specifier?.startsWith('.')) continue;
      const target = resolveSpecifier(file, specifier, known);
      if (target) edges.add(target);
    }
    graph.set(file, [...edges].sort());
  }
  return graph;
}

/** The circles a depth-first search closes (one per back edge): empty exactly when the graph has none. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const circle = stack.slice(stack.indexOf(next));
        const key = [...circle].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          found.push([...circle, next]);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

describe('imports', () => {
  it('finds the imports it is meant to see (a check that sees nothing proves nothing)', () => {
    const graph = importGraph(sourceFiles(SRC));
    const lobby = graph.get(join(SRC, 'server/domain/lobby.ts'));
    expect(lobby).toContain(join(SRC, 'server/domain/chat.ts')); // `import { type Chat, … }`
    expect(lobby).toContain(join(SRC, 'shared/protocol.ts')); // `import type { … }`
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('form no circle under src/', () => {
    const found = circles(importGraph(sourceFiles(SRC))).map((c) => c.map((f) => relative(SRC, f)).join(' → '));
    expect(found, `import circles:\n${found.join('\n')}`).toEqual([]);
  });
});
