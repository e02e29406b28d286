/**
 * Shared cache benchmark: what the embedding cache and the hot-read cache save. Two API
 * processes over PostgreSQL and Redis (with DATABASE_URL and REDIS_URL; otherwise one embedded
 * process, which has only the in-process level), an OpenAI-compatible fake embeddings API in
 * this process standing for a paid one (30–80 ms a call), run twice: with the caches (the
 * defaults) and without (EMBEDDING_CACHE_MB=0, EMBEDDING_CACHE_TTL_SECONDS=0, HOT_CACHE_ENTRIES=0).
 * Workload: adds and searches over a few hundred distinct texts drawn with repeats (a few texts
 * are common, most rare), alternating between the replicas; then agent turns on replica B with a
 * block changed on replica A every few turns. Figures: embedder calls and the hit ratio, add and
 * search latency, turn latency and database statements per turn (from pg_stat_database).
 * `npm run bench:cache` builds, runs and records bench/results/cache.json.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FakeEmbeddings } from '../test/support/fake-embeddings.js';
import { FakeLlm } from '../test/support/fake-llm.js';
import { Api } from './locomo.js';
import { percentile, record, runIfMain, startServer } from './support.js';
import type { Figure, ServerUnderTest } from './support.js';

export interface CacheBenchOptions {
  /** Distinct texts of the workload. */
  texts: number;
  /** Adds and searches in all (half each), spread over both replicas. */
  operations: number;
  /** Clients at once. */
  clients: number;
  /** Agent turns on replica B. */
  turns: number;
  /** A block is changed on replica A before every this many turns. */
  changeEvery: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function stats(values: number[]): { p50: number; p95: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  return { p50: round1(percentile(sorted, 50)), p95: round1(percentile(sorted, 95)), mean: round1(mean) };
}

/** Text i of the workload, and a question about it. */
const textOf = (i: number) => `Fact ${i}: the customer in account ${i * 7919} prefers invoices by email on Mondays.`;
const questionOf = (i: number) => `Which day does account ${i * 7919} want invoices?`;

/** Draws text indexes with repeats: squaring a uniform draw makes low indexes common (~ a Zipf-like head). */
function draws(n: number, texts: number, seed: number): number[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return Array.from({ length: n }, () => Math.floor(random() ** 2 * texts));
}

export interface CacheRunResult {
  embedderCalls: number;
  textsEmbedded: number;
  textsAsked: number;
  /** Distinct texts among those asked (texts added and questions searched). */
  distinctTexts: number;
  add: ReturnType<typeof stats>;
  search: ReturnType<typeof stats>;
  turn: ReturnType<typeof stats>;
  statementsPerTurn: number | null;
}

/**
 * Runs the workload against replicas `a` and `b` (the same URL for one server), whose embedder
 * is `embeddings`. `statements` reads the database's statement count (null: not measured).
 */
export async function runCacheWorkload(
  a: string,
  b: string,
  embeddings: FakeEmbeddings,
  o: CacheBenchOptions,
  statements: (() => Promise<number>) | null = null,
): Promise<CacheRunResult> {
  const onA = await Api.register(a);
  const onB = new Api(b, onA.token);
  const replicas = [onA, onB];
  const calls0 = embeddings.requests;
  const texts0 = embeddings.texts.length;

  // 1. Adds and searches, alternating between the replicas.
  const picks = draws(o.operations, o.texts, 42);
  const addTimes: number[] = [];
  const searchTimes: number[] = [];
  let next = 0;
  const client = async () => {
    for (let i = next++; i < picks.length; i = next++) {
      const api = replicas[i % 2];
      const t0 = performance.now();
      if (i % 2 === 0) {
        await api.post('/api/v1/memories', { content: textOf(picks[i]), userId: `user-${i % 5}`, infer: false });
        addTimes.push(performance.now() - t0);
      } else {
        await api.post('/api/v1/memories/search', { query: questionOf(picks[i]), userId: `user-${i % 5}`, limit: 5 });
        searchTimes.push(performance.now() - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, client));

  // 2. Agent turns on B, a block changed on A every few turns.
  const agent = await onA.post<{ id: string }>('/api/v1/agents', {
    name: 'bench',
    system: 'You are a benchmark agent.',
  });
  const turnTimes: number[] = [];
  await onB.post(`/api/v1/agents/${agent.id}/messages`, { messages: [{ role: 'user', content: 'warm up' }] });
  const before = statements ? await statements() : 0;
  let changes = 0;
  for (let i = 0; i < o.turns; i++) {
    if (i % o.changeEvery === 0) {
      await onA.patch(`/api/v1/agents/${agent.id}/blocks/persona`, { value: `Persona version ${i}` });
      changes += 1;
    }
    const t0 = performance.now();
    // The servers run with AGENT_CONTEXT_MEMORIES=0 (no memory search in a turn, so no
    // embedding): the difference between the runs is the hot reads and the statements they save.
    await onB.post(`/api/v1/agents/${agent.id}/messages`, { messages: [{ role: 'user', content: 'Any news?' }] });
    turnTimes.push(performance.now() - t0);
  }
  let statementsPerTurn: number | null = null;
  if (statements) {
    // The statistics of a session reach pg_stat_database within a second of its last transaction.
    await new Promise((r) => setTimeout(r, 1500));
    // A block change costs its own statements: counted apart by a change alone, then subtracted.
    const beforeChanges = await statements();
    for (let i = 0; i < changes; i++)
      await onA.patch(`/api/v1/agents/${agent.id}/blocks/persona`, { value: `Persona again ${i}` });
    await new Promise((r) => setTimeout(r, 1500));
    const changeCost = (await statements()) - beforeChanges;
    statementsPerTurn = round1((beforeChanges - before - changeCost) / o.turns);
  }
  return {
    embedderCalls: embeddings.requests - calls0,
    textsEmbedded: embeddings.texts.length - texts0,
    textsAsked: o.operations,
    distinctTexts: new Set(picks.map((p, i) => (i % 2 === 0 ? textOf(p) : questionOf(p)))).size,
    add: stats(addTimes),
    search: stats(searchTimes),
    turn: stats(turnTimes),
    statementsPerTurn,
  };
}

/** The figures comparing a run with the caches to one without. */
export function cacheFigures(on: CacheRunResult, off: CacheRunResult): Figure[] {
  const hitRatio = Math.round((1 - on.textsEmbedded / on.textsAsked) * 1000) / 1000;
  const figures: Figure[] = [
    { name: 'texts embedded, cache on', value: on.textsEmbedded, unit: 'texts', higherIsBetter: false },
    { name: 'texts embedded, cache off', value: off.textsEmbedded, unit: 'texts', higherIsBetter: false },
    { name: 'distinct texts in the workload', value: on.distinctTexts, unit: 'texts' },
    // Target: each distinct text embedded once across both replicas (the "embed each distinct text once").
    {
      name: 'embedder calls per distinct text, cache on',
      value: Math.round((on.textsEmbedded / Math.max(1, on.distinctTexts)) * 100) / 100,
      unit: '',
      target: 1,
      higherIsBetter: false,
    },
    { name: 'embedding hit ratio (texts not embedded)', value: hitRatio, unit: '' },
    { name: 'add p50, cache on', value: on.add.p50, unit: 'ms', higherIsBetter: false },
    { name: 'add p50, cache off', value: off.add.p50, unit: 'ms', higherIsBetter: false },
    { name: 'add mean, cache on', value: on.add.mean, unit: 'ms', higherIsBetter: false },
    { name: 'add mean, cache off', value: off.add.mean, unit: 'ms', higherIsBetter: false },
    { name: 'search p50, cache on', value: on.search.p50, unit: 'ms', higherIsBetter: false },
    { name: 'search p50, cache off', value: off.search.p50, unit: 'ms', higherIsBetter: false },
    { name: 'search mean, cache on', value: on.search.mean, unit: 'ms', higherIsBetter: false },
    { name: 'search mean, cache off', value: off.search.mean, unit: 'ms', higherIsBetter: false },
    { name: 'turn p50, cache on', value: on.turn.p50, unit: 'ms', higherIsBetter: false },
    { name: 'turn p50, cache off', value: off.turn.p50, unit: 'ms', higherIsBetter: false },
    { name: 'turn p95, cache on', value: on.turn.p95, unit: 'ms', higherIsBetter: false },
    { name: 'turn p95, cache off', value: off.turn.p95, unit: 'ms', higherIsBetter: false },
  ];
  if (on.statementsPerTurn !== null && off.statementsPerTurn !== null)
    figures.push(
      {
        name: 'database transactions per turn, cache on',
        value: on.statementsPerTurn,
        unit: '',
        higherIsBetter: false,
      },
      {
        name: 'database transactions per turn, cache off',
        value: off.statementsPerTurn,
        unit: '',
        higherIsBetter: false,
      },
    );
  return figures;
}

runIfMain(import.meta.url, async () => {
  const options: CacheBenchOptions = {
    texts: Number(process.env.BENCH_TEXTS ?? 200),
    operations: Number(process.env.BENCH_OPERATIONS ?? 800),
    clients: Number(process.env.BENCH_CLIENTS ?? 4),
    turns: Number(process.env.BENCH_TURNS ?? 100),
    changeEvery: Number(process.env.BENCH_CHANGE_EVERY ?? 10),
  };
  const [low, high] = (process.env.BENCH_EMBED_LATENCY_MS ?? '30-80').split('-').map(Number);
  const embeddings = await new FakeEmbeddings().start();
  embeddings.latencyMs = () => low + Math.random() * ((high ?? low) - low);
  const llm = await new FakeLlm().start();
  llm.script = (r) => (r.response_format ? '{"facts": []}' : 'Noted.');
  const adminUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  const cluster = Boolean(adminUrl && redisUrl);
  const base = {
    ...llm.env,
    ...embeddings.env,
    AGENT_CONTEXT_MEMORIES: '0',
  };
  const results: Record<string, CacheRunResult> = {};
  try {
    for (const [run, settings] of [
      ['on', {}],
      ['off', { EMBEDDING_CACHE_MB: '0', EMBEDDING_CACHE_TTL_SECONDS: '0', HOT_CACHE_ENTRIES: '0' }],
    ] as const) {
      const servers: ServerUnderTest[] = [];
      let database: { url: string; drop: () => Promise<void> } | null = null;
      try {
        if (cluster) {
          database = await freshDatabase(adminUrl!);
          const env = {
            ...base,
            ...settings,
            DATABASE_URL: database.url,
            JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
            REDIS_URL: redisUrl!,
            QUEUE_PREFIX: `bench-cache-${randomBytes(4).toString('hex')}`,
          };
          servers.push(await startServer(env), await startServer(env));
        } else {
          servers.push(await startServer({ ...base, ...settings }));
        }
        const [a, b] = [servers[0].url, servers[servers.length - 1].url];
        const url = database?.url;
        const statements = url ? () => transactions(url) : null;
        results[run] = await runCacheWorkload(a, b, embeddings, options, statements);
        process.stdout.write(`${run}: ${JSON.stringify(results[run])}\n`);
      } finally {
        for (const s of servers) await s.stop();
        await database?.drop();
      }
    }
    await record('cache', cacheFigures(results.on, results.off), {
      options,
      shape: cluster ? 'two API processes over PostgreSQL and Redis' : 'one embedded process',
      embeddingLatencyMs: [low, high],
      runs: results,
    });
  } finally {
    await embeddings.stop();
    await llm.stop();
  }
});

/** Transactions committed in the database so far (each statement outside a transaction is one). */
async function transactions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

async function freshDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `agentmem_bench_cache_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
