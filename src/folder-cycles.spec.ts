import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(import.meta.dirname ?? 'src');

/** The top-level folder of src/ a file lives in ('' for files directly in src/). */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0] : '';
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) && !/\.spec\.ts$/.test(name) ? [path] : [];
  });
}

/** Which top-level folders import which (value imports and type imports alike: both couple the folders). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    if (from === '') continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g)) {
      const to = folderOf(resolve(dirname(file), match[1]));
      if (to === '' || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, relative(SRC, file));
    }
  }
  return graph;
}

/** The cycles between folders, each once, as "a -> b -> a" with the file that makes each step. */
function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found = new Set<string>();
  const walk = (start: string, at: string, path: string[], via: string[]) => {
    for (const [next, file] of graph.get(at) ?? []) {
      if (next === start) {
        const steps = [...path, next];
        if (path.every((p) => p >= start))
          found.add(
            steps.map((p, i) => (i < via.length + 1 ? `${p}${i < via.length ? '' : ''}` : p)).join(' -> ') +
              `  (${[...via, file].join(', ')})`,
          );
        // Each cycle once: from its smallest folder name, through larger ones only.
      } else if (!path.includes(next) && next > start) {
        walk(start, next, [...path, next], [...via, file]);
      }
    }
  };
  for (const start of [...graph.keys()].sort()) walk(start, start, [start], []);
  return [...found].sort();
}

describe('the source folders', () => {
  it('import each other without a cycle between top-level folders', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });
});
