/**
 * Tools benchmark: sandboxed runs over HTTP against the server in its own process (embedded
 * default, TOOLS_CONCURRENCY sandboxes). Figures: the very first run (it forks the sandbox
 * process); a trivial run's own time inside the sandbox (its durationMs) cold — the isolate
 * and context made for the call, console and timers installed — and warm — the isolate was
 * made while the sandbox waited, as it is for consecutive runs with the same memory limit;
 * HTTP latency and runs/s of a trivial tool one at a time and with 10 clients; runs/s of a
 * CPU-heavy tool; and the memory of the server and its sandbox processes.
 * `npm run bench:tools` builds, runs and records bench/results/tools.json.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Api } from './locomo.js';
import { percentile, record, rssMb, runIfMain, startServer } from './support.js';
import type { Figure } from './support.js';

export interface ToolsBenchOptions {
  /** Trivial runs one after another. */
  sequential: number;
  /** Trivial runs spread over `clients` concurrent clients. */
  concurrent: number;
  clients: number;
  /** CPU-heavy runs (a 2e7-step loop each), over `clients` clients. */
  heavy: number;
}

interface RunAnswer {
  status: string;
  result?: unknown;
  durationMs: number;
  cpuMs: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function stats(label: string, name: string, values: number[], unit = 'ms'): Figure[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [
    { name: `${label} ${name}: p50`, value: round1(percentile(sorted, 50)), unit, higherIsBetter: false },
    { name: `${label} ${name}: p95`, value: round1(percentile(sorted, 95)), unit, higherIsBetter: false },
  ];
}

/** `count` runs of a tool over `clients` concurrent clients: the answers, the HTTP latencies, and the seconds it took. */
async function runMany(
  api: Api,
  toolId: string,
  count: number,
  clients: number,
  args: Record<string, unknown>,
): Promise<{ answers: RunAnswer[]; latencies: number[]; seconds: number }> {
  const answers: RunAnswer[] = [];
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        next += 1;
        const t0 = performance.now();
        const answer = await api.post<RunAnswer>(`/api/v1/tools/${toolId}/run`, { args });
        latencies.push(performance.now() - t0);
        if (answer.status !== 'ok') throw new Error(`run ended ${answer.status}: ${JSON.stringify(answer)}`);
        answers.push(answer);
      }
    }),
  );
  return { answers, latencies, seconds: (performance.now() - started) / 1000 };
}

export async function runToolsBench(
  api: Api,
  o: ToolsBenchOptions,
  label: string,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const add = await api.post<{ id: string }>('/api/v1/tools', {
    name: `add_${label}`,
    description: 'Adds two numbers',
    parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    sourceCode: 'return args.a + args.b',
  });
  // Same code, another memory limit: alternating the two, no run finds its isolate made ahead.
  const add63 = await api.post<{ id: string }>('/api/v1/tools', {
    name: `add63_${label}`,
    description: 'Adds two numbers',
    parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    sourceCode: 'return args.a + args.b',
    memoryLimitMb: 63,
  });
  const heavy = await api.post<{ id: string }>('/api/v1/tools', {
    name: `heavy_${label}`,
    description: 'Burns CPU',
    parameters: { type: 'object' },
    sourceCode: 'let x = 0; for (let i = 0; i < 2e7; i++) x += i % 7; return x',
  });

  // 1. The first run after start forks the sandbox process (creating the tool compiled its
  //    source in one already, so this is the second process's first run when TOOLS_CONCURRENCY > 1).
  const t0 = performance.now();
  await api.post<RunAnswer>(`/api/v1/tools/${add.id}/run`, { args: { a: 1, b: 2 } });
  const firstRunMs = performance.now() - t0;
  // Let both sandbox processes exist before measuring steady state.
  await runMany(api, add.id, 20, 4, { a: 1, b: 2 });

  const cold: number[] = [];
  for (let i = 0; i < Math.min(o.sequential, 200); i++) {
    const answer = await api.post<RunAnswer>(`/api/v1/tools/${i % 2 ? add.id : add63.id}/run`, {
      args: { a: 1, b: 2 },
    });
    cold.push(answer.durationMs);
  }
  const one = await runMany(api, add.id, o.sequential, 1, { a: 1, b: 2 });
  const many = await runMany(api, add.id, o.concurrent, o.clients, { a: 1, b: 2 });
  const burn = await runMany(api, heavy.id, o.heavy, o.clients, {});

  const figures: Figure[] = [
    {
      name: `${label} first run after start (forks a sandbox process)`,
      value: round1(firstRunMs),
      unit: 'ms',
      higherIsBetter: false,
    },
    ...stats(label, 'cold run inside the sandbox (isolate made for the call)', cold),
    ...stats(
      label,
      'warm run inside the sandbox (isolate made ahead)',
      one.answers.map((a) => a.durationMs),
    ),
    ...stats(label, 'trivial run over HTTP, one client', one.latencies),
    {
      name: `${label} trivial runs/s, one client`,
      value: round1(o.sequential / one.seconds),
      unit: 'runs/s',
      higherIsBetter: true,
    },
    ...stats(label, `trivial run over HTTP, ${o.clients} clients`, many.latencies),
    {
      name: `${label} trivial runs/s, ${o.clients} clients`,
      value: round1(o.concurrent / many.seconds),
      unit: 'runs/s',
      higherIsBetter: true,
    },
    ...stats(
      label,
      'heavy run inside the sandbox (2e7-step loop)',
      burn.answers.map((a) => a.durationMs),
    ),
    {
      name: `${label} heavy runs/s, ${o.clients} clients`,
      value: round1(o.heavy / burn.seconds),
      unit: 'runs/s',
      higherIsBetter: true,
    },
  ];
  return {
    figures,
    details: {
      ...o,
      cpuMsTrivialP50: round1(
        percentile(
          [...one.answers.map((a) => a.cpuMs)].sort((a, b) => a - b),
          50,
        ),
      ),
    },
  };
}

/** Process ids of a process's children (the sandbox processes of a server). */
async function childrenOf(pid: number): Promise<number[]> {
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=', '--ppid', String(pid)]);
    return stdout
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

runIfMain(import.meta.url, async () => {
  const options: ToolsBenchOptions = {
    sequential: Number(process.env.BENCH_RUNS ?? 500),
    concurrent: Number(process.env.BENCH_CONCURRENT_RUNS ?? 1000),
    clients: Number(process.env.BENCH_CLIENTS ?? 10),
    heavy: Number(process.env.BENCH_HEAVY_RUNS ?? 100),
  };
  const server = await startServer({ TOOLS_CONCURRENCY: process.env.TOOLS_CONCURRENCY ?? '2' });
  try {
    const api = await Api.register(server.url);
    const { figures, details } = await runToolsBench(api, options, 'embedded');
    figures.push({
      name: 'embedded server RSS after the run',
      value: await rssMb(server.pid),
      unit: 'MB',
      higherIsBetter: false,
    });
    const sandboxes = await childrenOf(server.pid);
    const sandboxRss = await Promise.all(sandboxes.map((pid) => rssMb(pid).catch(() => 0)));
    figures.push({
      name: 'RSS of each sandbox process (max)',
      value: Math.max(0, ...sandboxRss),
      unit: 'MB',
      higherIsBetter: false,
    });
    await record('tools', figures, {
      options,
      details: {
        ...details,
        sandboxProcesses: sandboxes.length,
        toolsConcurrency: process.env.TOOLS_CONCURRENCY ?? '2',
      },
    });
  } finally {
    await server.stop();
  }
});
