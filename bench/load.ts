/**
 * Load benchmark: the production shape (two API processes with JOBS_IN_PROCESS=false and one
 * worker, on this machine's PostgreSQL and Redis) under a mixed workload from a closed loop of
 * N concurrent connections, half on each API: searches, sync adds, async adds (the worker
 * stores them) and agent turns against the fake OpenAI-compatible LLM (in this process, 50 ms
 * before it answers; each turn also queues a memory extraction for the worker). Reports
 * p50/p95/p99 per operation, the error rate and the throughput at each level (50 and 200
 * connections by default). Needs DATABASE_URL (a fresh database is made on that server and
 * dropped after) and REDIS_URL (a fresh queue prefix; nothing else in Redis is touched).
 * `npm run bench:load` builds, runs and records bench/results/load.json.
 *
 * Settings: BENCH_CONNECTIONS ("50,200"), BENCH_SECONDS (30 per level), BENCH_MEMORIES (2000
 * stored before the run), BENCH_AGENTS (40), BENCH_LLM_LATENCY_MS (50), BENCH_PROFILE_DIR (the
 * first API runs with `--cpu-prof` into that folder; its profile covers the whole run), BENCH_RESULT
 * (the results file's name, `load`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Pool } from 'undici';
import { FakeLlm } from '../test/support/fake-llm.js';
import { freePort, percentile, record, repoRoot, rssMb, runIfMain } from './support.js';
import type { Figure } from './support.js';

export const OPERATIONS = ['search', 'add', 'async add', 'agent turn'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Out of 20 requests: 10 searches, 5 sync adds, 2 async adds, 3 agent turns. */
const MIX: Operation[] = [
  ...Array<Operation>(10).fill('search'),
  ...Array<Operation>(5).fill('add'),
  ...Array<Operation>(2).fill('async add'),
  ...Array<Operation>(3).fill('agent turn'),
];
const USERS = 10;
const WORDS = ['coffee', 'tea', 'hiking', 'paris', 'piano', 'garden', 'budget', 'dentist', 'flight', 'birthday'];
const round1 = (n: number) => Math.round(n * 10) / 10;

export interface LoadOptions {
  /** Concurrent connections of each level, spread evenly over the APIs. */
  connections: number[];
  secondsPerLevel: number;
}

export interface LoadTarget {
  /** The API replicas' base URLs. */
  urls: string[];
  token: string;
  /** The agents the turns go to (one client at a time per agent: a turn holds its agent's lock). */
  agentIds: string[];
}

/** Registers an organization, stores `memories` memories over 10 users and makes `agents` agents. */
export async function prepareLoad(url: string, memories: number, agents: number): Promise<LoadTarget> {
  const call = async <T>(path: string, body: unknown, token?: string): Promise<T> => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const { accessToken: token } = await call<{ accessToken: string }>('/api/v1/auth/register', {
    organizationName: 'Load',
    email: `load-${randomBytes(6).toString('hex')}@example.test`,
    password: 'bench-password',
    name: 'Bench',
  });
  for (let from = 0; from < memories; from += 200) {
    const messages = Array.from({ length: Math.min(200, memories - from) }, (_, k) => ({
      role: 'user',
      content: factText(from + k),
    }));
    await call('/api/v1/memories', { messages, userId: `user-${(from / 200) % USERS}`, infer: false }, token);
  }
  const agentIds: string[] = [];
  for (let i = 0; i < agents; i++) {
    const agent = await call<{ id: string }>(
      '/api/v1/agents',
      { name: `load-${i}`, system: 'You are a load benchmark agent.' },
      token,
    );
    agentIds.push(agent.id);
  }
  return { urls: [url], token, agentIds };
}

function factText(i: number): string {
  return `Fact ${i}: I talked about ${WORDS[i % WORDS.length]} and ${WORDS[(i * 7 + 3) % WORDS.length]} on day ${i % 365}.`;
}

interface Sample {
  op: Operation;
  ms: number;
  ok: boolean;
}

/** The fake LLM's script for this benchmark: a short reply; no facts to extract. */
export function scriptLlm(llm: FakeLlm, latencyMs: number): void {
  llm.latencyMs = latencyMs;
  llm.script = (request) =>
    request.response_format
      ? request.response_format.json_schema?.name === 'facts'
        ? '{"facts": []}'
        : '{"memory": []}'
      : 'Noted, thank you.';
}

/** One level: `connections` closed-loop clients for `seconds`, each on its own connection. */
async function runLevel(
  target: LoadTarget,
  connections: number,
  seconds: number,
): Promise<{ samples: Sample[]; elapsedSeconds: number }> {
  const pools = target.urls.map(
    (url, i) =>
      new Pool(url, {
        connections: Math.ceil((connections - i) / target.urls.length),
        pipelining: 1,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      }),
  );
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${target.token}` };
  const samples: Sample[] = [];
  const agentBusy = new Set<string>();
  const start = performance.now();
  const until = start + seconds * 1000;
  let sequence = 0;
  const client = async (id: number) => {
    const pool = pools[id % pools.length];
    while (performance.now() < until) {
      const n = ++sequence;
      // The mix interleaved over all clients' requests (7 is prime to its length).
      let op = MIX[(n * 7) % MIX.length];
      // A turn holds its agent's lock: take a free agent, or search instead.
      const agentId = op === 'agent turn' ? target.agentIds.find((a) => !agentBusy.has(a)) : undefined;
      if (op === 'agent turn' && !agentId) op = 'search';
      if (agentId) agentBusy.add(agentId);
      const user = `user-${n % USERS}`;
      const [path, body] =
        op === 'search'
          ? ['/api/v1/memories/search', { query: `${WORDS[n % WORDS.length]} day ${n % 365}`, userId: user }]
          : op === 'add' || op === 'async add'
            ? [
                '/api/v1/memories',
                {
                  content: `Load ${n}: ${factText(n)}`,
                  userId: user,
                  infer: false,
                  ...(op === 'async add' ? { async: true } : {}),
                },
              ]
            : [
                `/api/v1/agents/${agentId}/messages`,
                { messages: [{ content: `Turn ${n}: ${factText(n)}` }], userId: user },
              ];
      const started = performance.now();
      let ok = false;
      try {
        const res = await pool.request({ path, method: 'POST', headers, body: JSON.stringify(body) });
        await res.body.text();
        ok = res.statusCode >= 200 && res.statusCode < 300;
      } catch {
        // counted as an error
      } finally {
        if (agentId) agentBusy.delete(agentId);
      }
      samples.push({ op, ms: performance.now() - started, ok });
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, i) => client(i)));
  // The level lasts until its last request is answered (a slow one started near the end included).
  const elapsedSeconds = (performance.now() - start) / 1000;
  await Promise.all(pools.map((p) => p.close()));
  return { samples, elapsedSeconds };
}

/** Runs each level against `target`; the caller started the servers. */
export async function runLoadBench(
  target: LoadTarget,
  options: LoadOptions,
  label: string,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const figures: Figure[] = [];
  const levels: Record<string, unknown>[] = [];
  for (const connections of options.connections) {
    const loadBefore = loadavg()[0];
    const { samples, elapsedSeconds } = await runLevel(target, connections, options.secondsPerLevel);
    const level = `${label} ${connections} connections`;
    const errors = samples.filter((s) => !s.ok).length;
    const perOperation: Record<string, unknown> = {};
    figures.push(
      {
        name: `${level}: throughput`,
        value: round1(samples.filter((s) => s.ok).length / elapsedSeconds),
        unit: 'req/s',
        higherIsBetter: true,
      },
      {
        name: `${level}: error rate`,
        value: samples.length ? round1((100 * errors) / samples.length) : 0,
        unit: '%',
        higherIsBetter: false,
      },
    );
    for (const op of OPERATIONS) {
      const mine = samples.filter((s) => s.op === op);
      const times = mine
        .filter((s) => s.ok)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
      const stats = {
        requests: mine.length,
        errors: mine.filter((s) => !s.ok).length,
        perSecond: round1(times.length / elapsedSeconds),
        p50: round1(percentile(times, 50)),
        p95: round1(percentile(times, 95)),
        p99: round1(percentile(times, 99)),
      };
      perOperation[op] = stats;
      for (const p of ['p50', 'p95', 'p99'] as const)
        figures.push({ name: `${level}: ${op} ${p}`, value: stats[p], unit: 'ms', higherIsBetter: false });
      figures.push({ name: `${level}: ${op} per second`, value: stats.perSecond, unit: 'req/s', higherIsBetter: true });
    }
    levels.push({
      connections,
      requests: samples.length,
      errors,
      elapsedSeconds: round1(elapsedSeconds),
      // The machine's 1-minute load average before and after the level (other work on it skews every figure).
      loadAverage: [round1(loadBefore), round1(loadavg()[0])],
      operations: perOperation,
    });
  }
  return { figures, details: { mix: '10 searches : 5 adds : 2 async adds : 3 agent turns', levels } };
}

interface Running {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts dist/src/<entry>.js as its own process; an API is waited for until ready, a worker until its start line. */
async function startProcess(
  entry: 'main' | 'worker',
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Running & { url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(repoRoot, 'dist', 'src', `${entry}.js`)], {
    env: {
      PATH: process.env.PATH ?? '',
      MALLOC_ARENA_MAX: '2',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: entry === 'worker' ? 'info' : 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-8192)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with code ${child.exitCode}`);
    const ready =
      entry === 'worker'
        ? out.includes('worker running')
        : await fetch(`${url}/health/ready`).then(
            (r) => r.ok,
            () => false,
          );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`${entry} not ready within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

runIfMain(import.meta.url, async () => {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('bench:load needs DATABASE_URL and REDIS_URL (PostgreSQL and Redis)');
  const options: LoadOptions = {
    connections: (process.env.BENCH_CONNECTIONS ?? '50,200').split(',').map(Number),
    secondsPerLevel: Number(process.env.BENCH_SECONDS ?? 30),
  };
  const memories = Number(process.env.BENCH_MEMORIES ?? 2000);
  const agents = Number(process.env.BENCH_AGENTS ?? 40);
  const llmLatencyMs = Number(process.env.BENCH_LLM_LATENCY_MS ?? 50);
  const profileDir = process.env.BENCH_PROFILE_DIR;

  const name = `agentmem_load_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(databaseUrl);
  dbUrl.pathname = `/${name}`;
  const llm = await new FakeLlm().start();
  scriptLlm(llm, llmLatencyMs);
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `load-${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ...llm.env,
  };
  const running: Running[] = [];
  try {
    // The first API makes the schema; the second API and the worker start after it.
    const first = await startProcess(
      'main',
      { ...env, JOBS_IN_PROCESS: 'false' },
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    running.push(first);
    const [second, worker] = await Promise.all([
      startProcess('main', { ...env, JOBS_IN_PROCESS: 'false' }),
      startProcess('worker', env),
    ]);
    running.push(second, worker);
    const prepared = await prepareLoad(first.url, memories, agents);
    const target = { ...prepared, urls: [first.url, second.url] };
    // A short warm-up (connections, statement plans, the search index), not measured.
    await runLoadBench(target, { connections: [10], secondsPerLevel: 3 }, 'warm-up');
    const { figures, details } = await runLoadBench(target, options, 'two APIs');
    for (const [i, p] of [first, second].entries())
      figures.push({
        name: `API ${i + 1} RSS after the run`,
        value: await rssMb(p.child.pid!),
        unit: 'MB',
        higherIsBetter: false,
      });
    figures.push({
      name: 'worker RSS after the run',
      value: await rssMb(worker.child.pid!),
      unit: 'MB',
      higherIsBetter: false,
    });
    await record(process.env.BENCH_RESULT ?? 'load', figures, {
      options: { ...options, memories, agents, llmLatencyMs },
      details: { ...details, llmRequests: llm.requests.length },
    });
  } finally {
    for (const p of running.reverse()) await p.stop();
    await llm.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
