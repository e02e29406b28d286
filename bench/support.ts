import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../test/support/free-port.js';

export { freePort };

/** The repository root: the nearest folder above this file with a package.json (source or dist/). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Resident set size of a process in MB (Linux /proc). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

export interface ServerUnderTest {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the compiled server (dist/src/main.js) as its own process on the embedded default,
 * with a fresh data directory, so the load generator does not share its event loop.
 */
export async function startServer(env: Record<string, string> = {}): Promise<ServerUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'agentmem-bench-'));
  const port = await freePort();
  // BENCH_NODE_ARGS: flags for the server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it under the load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_SERVER_LOG=<level>: the server's JSON log on this process's stdout at that level (default: warnings, not shown).
  const logLevel = process.env.BENCH_SERVER_LOG;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(repoRoot, 'dist', 'src', 'main.js')], {
    // MALLOC_ARENA_MAX as `npm start` and the Docker image set it.
    env: {
      PATH: process.env.PATH ?? '',
      MALLOC_ARENA_MAX: '2',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: logLevel ?? 'warn',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      ...env,
    },
    stdio: ['ignore', logLevel ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The target from DESIGN.md, when there is one. */
  target?: number;
  /** Whether bigger is better (throughput) or smaller (latency, memory). */
  higherIsBetter?: boolean;
}

/** Prints each figure with its target and ratio, and writes bench/results/<name>.json. */
export async function record(name: string, figures: Figure[], extra: Record<string, unknown> = {}): Promise<void> {
  const rows = figures.map((f) => {
    const ratio =
      f.target === undefined ? undefined : f.higherIsBetter === false ? f.target / f.value : f.value / f.target;
    const meets = ratio === undefined ? undefined : ratio >= 1;
    return { ...f, ratio: ratio === undefined ? undefined : Math.round(ratio * 100) / 100, meets };
  });
  for (const r of rows) {
    const target =
      r.target === undefined
        ? ''
        : `  target ${r.higherIsBetter === false ? '≤' : '≥'} ${r.target} ${r.unit}  ratio ${r.ratio}${r.meets ? '' : '  (MISSED)'}`;
    process.stdout.write(`${r.name.padEnd(44)} ${String(r.value).padStart(10)} ${r.unit}${target}\n`);
  }
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const machine = { node: process.version, platform: process.platform, cpus: (await import('node:os')).cpus().length };
  await writeFile(
    join(dir, `${name}.json`),
    JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine, figures: rows, ...extra }, null, 2) +
      '\n',
  );
}

/** Runs a benchmark's main() when its file is the one node was started with (not when imported by a test). */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
