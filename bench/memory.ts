/**
 * Memory engine throughput and latency on the embedded default (and on PostgreSQL when
 * DATABASE_URL is set): adds one by one and in batches (infer=false), get/update/delete, and
 * search latency at 10k and 100k memories in one organization (10 users), LoCoMo texts.
 * `npm run bench:memory` — set BENCH_MEMORIES=100000 (default) and BENCH_SEARCHES (default 200);
 * BENCH_RESULT names the results file (default memory).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { BASE_THRESHOLD, SCALE_FACTOR } from '../src/database/table-maintenance.js';
import { Api, loadConversations, turnText } from './locomo.js';
import { percentile, record, repoRoot, rssMb, runIfMain, startServer } from './support.js';
import type { Figure } from './support.js';

const USERS = 10;

/** Runs `total` tasks with `concurrency` workers; returns per-task latencies (ms) and the wall time (s). */
export async function pool(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export interface MemoryBenchOptions {
  memories: number;
  searches: number;
  oneByOne: number;
  batch: number;
  concurrency: number;
}

/**
 * Targets of the memory engine issue: adds one by one ≥ 5× the peer (Mem0 OSS in-process) with
 * 10 clients and ≥ 1.5× with one; search p95 at 100k; get/update/delete ≥ 1,000 ops/s.
 */
/** Time given to the server to read the searched scopes into its index (10 scopes of 10k with vectors take ~5 s on PGlite). */
const INDEX_READ_WAIT_MS = 10_000;

export const ADD_TARGETS = { tenClients: 1700, oneClient: 510 };

/**
 * The memory engine's figures. `api` serves the adds and get/update/delete (the server as
 * configured by default); `searchApi` the fill and the searches of both legs (a server with
 * VECTOR_SEARCH=on, so that the lexical embedder's vectors exist to be searched). One api for both is fine.
 */
export async function runMemoryBench(
  api: Api,
  texts: string[],
  questions: string[],
  o: MemoryBenchOptions,
  label: string,
  searchApi: Api = api,
  settle?: () => Promise<number>,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const textAt = (i: number) => `${texts[i % texts.length]}${i >= texts.length ? ` (note ${i})` : ''}`;
  const addOne = (target: Api, i: number) =>
    target.post('/api/v1/memories', {
      content: textAt(i),
      userId: `user-${i % USERS}`,
      infer: false,
      metadata: { n: i },
    });

  // One by one: one memory per request, one client and then `concurrency` clients.
  const alone = await pool(Math.ceil(o.oneByOne / 3), 1, async (i) => {
    await addOne(api, i);
  });
  const single = await pool(o.oneByOne, o.concurrency, async (i) => {
    await addOne(api, o.oneByOne + i);
  });
  figures.push(
    {
      name: `${label} add one by one, 1 client: throughput`,
      value: round(Math.ceil(o.oneByOne / 3) / alone.seconds, 0),
      unit: 'adds/s',
      target: ADD_TARGETS.oneClient,
      higherIsBetter: true,
    },
    { name: `${label} add one by one, 1 client: p50`, value: round(percentile(alone.latencies, 50)), unit: 'ms' },
    {
      name: `${label} add one by one, ${o.concurrency} clients: throughput`,
      value: round(o.oneByOne / single.seconds, 0),
      unit: 'adds/s',
      target: ADD_TARGETS.tenClients,
      higherIsBetter: true,
    },
    {
      name: `${label} add one by one, ${o.concurrency} clients: p50`,
      value: round(percentile(single.latencies, 50)),
      unit: 'ms',
    },
    {
      name: `${label} add one by one, ${o.concurrency} clients: p95`,
      value: round(percentile(single.latencies, 95)),
      unit: 'ms',
    },
  );

  // get, update, delete of single memories (of the adds above): 100 of each user's, so that the
  // figure is not the warm-up of a few hundred requests.
  const ids: string[] = [];
  for (let u = 0; u < USERS; u++) {
    const page = await api.get<{ data: { id: string }[] }>(`/api/v1/memories?userId=user-${u}&limit=100`);
    ids.push(...page.data.map((m) => m.id));
  }
  // Each task reads, updates and deletes one memory in turn: three operations.
  const crud = await pool(ids.length, o.concurrency, async (i) => {
    await api.get(`/api/v1/memories/${ids[i]}`);
    await api.patch(`/api/v1/memories/${ids[i]}`, { metadata: { touched: i } });
    await api.delete(`/api/v1/memories/${ids[i]}`);
  });
  figures.push({
    name: `${label} get/update/delete: throughput`,
    value: round((ids.length * 3) / crud.seconds, 0),
    unit: 'ops/s',
    target: 1000,
    higherIsBetter: true,
  });

  let stored = 0;

  const fill = async (upTo: number) => {
    const batches = Math.ceil((upTo - stored) / o.batch);
    const start = stored;
    const result = await pool(batches, 2, async (b) => {
      const from = start + b * o.batch;
      const to = Math.min(from + o.batch, upTo);
      const messages = Array.from({ length: to - from }, (_, k) => ({ role: 'user', content: textAt(from + k) }));
      await searchApi.post('/api/v1/memories', { messages, userId: `user-${b % USERS}`, infer: false });
    });
    stored = upTo;
    return (upTo - start) / result.seconds;
  };

  const search = async (size: number) => {
    for (const mode of ['text', 'vector'] as const) {
      // The first search of each user's scope, on its own: it runs the statement and starts
      // reading the scope into the server's search index (memory-index.ts) in the background;
      // the figures below are the searches after the reads (INDEX_READ_WAIT_MS).
      const first = await pool(USERS, 4, async (u) => {
        await searchApi.post('/api/v1/memories/search', {
          query: questions[u % questions.length],
          userId: `user-${u}`,
          limit: 10,
          mode,
        });
      });
      figures.push({
        name: `${label} search ${mode} at ${size / 1000}k: first search of each user, max`,
        value: round(Math.max(...first.latencies)),
        unit: 'ms',
      });
      await new Promise((r) => setTimeout(r, INDEX_READ_WAIT_MS));
      let hits = 0;
      const run = await pool(o.searches, 4, async (i) => {
        const started = Date.now();
        const found = await searchApi.post<{ results: unknown[] }>('/api/v1/memories/search', {
          query: questions[i % questions.length],
          userId: `user-${i % USERS}`,
          limit: 10,
          mode,
        });
        hits += found.results.length;
        // With the server's log on stdout (BENCH_SERVER_LOG), a slow search is put beside it.
        if (process.env.BENCH_SERVER_LOG && Date.now() - started > 100)
          console.error(`slow ${mode} search at ${new Date(started).toISOString()}: ${Date.now() - started} ms`);
      });
      // A scope (a user among ten) must still get its `limit` hits from an HNSW index (iterative scans).
      details[`hits per ${mode} search at ${size / 1000}k`] = round(hits / o.searches, 1);
      figures.push(
        {
          name: `${label} search ${mode} at ${size / 1000}k: p50`,
          value: round(percentile(run.latencies, 50)),
          unit: 'ms',
        },
        {
          name: `${label} search ${mode} at ${size / 1000}k: p95`,
          value: round(percentile(run.latencies, 95)),
          unit: 'ms',
          ...(size >= 100_000 ? { target: label === 'postgres' ? 10 : 30, higherIsBetter: false } : {}),
        },
      );
    }
  };

  const batchedRate = await fill(Math.min(10_000, o.memories));
  figures.push({
    name: `${label} add in batches of ${o.batch}: throughput`,
    value: round(batchedRate, 0),
    unit: 'memories/s',
    target: 2000,
    higherIsBetter: true,
  });
  if (settle) details['seconds until analyzed at 10k'] = round(await settle(), 1);
  await search(Math.min(10_000, o.memories));

  if (o.memories > 10_000) {
    details.batchedTo100k = round(await fill(o.memories), 0);
    if (settle) details['seconds until analyzed at 100k'] = round(await settle(), 1);
    await search(o.memories);
  }
  return { figures, details };
}

async function main(): Promise<void> {
  const memories = Number(process.env.BENCH_MEMORIES ?? 100_000);
  const options: MemoryBenchOptions = {
    memories,
    searches: Number(process.env.BENCH_SEARCHES ?? 200),
    oneByOne: 3000,
    batch: 200,
    concurrency: 10,
  };
  const conversations = await loadConversations();
  const texts = conversations.flatMap((c) => c.sessions.flatMap((s) => s.turns.map(turnText)));
  const questions = conversations.flatMap((c) => c.questions.map((q) => q.question));
  const figures: Figure[] = [];
  const details: Record<string, unknown> = { options };

  // Per storage mode, two servers: the default configuration for the writes, and one with
  // VECTOR_SEARCH=on (the lexical embedder's vectors stored, as a semantic embedder's would be) for search.
  const modes: { label: string; env: Record<string, string>; rssName: string; rssTarget: number }[] = [];
  if (process.env.BENCH_EMBEDDED !== '0')
    modes.push({ label: 'embedded', env: {}, rssName: 'embedded server RSS at 100k', rssTarget: 600 });
  if (process.env.DATABASE_URL) {
    modes.push({
      label: 'postgres',
      env: { DATABASE_URL: process.env.DATABASE_URL, JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123' },
      rssName: 'postgres API process RSS at 100k',
      rssTarget: 250,
    });
  }
  for (const mode of modes) {
    const writes = await startServer(mode.env);
    const searches = await startServer({ ...mode.env, VECTOR_SEARCH: 'on' });
    try {
      // On PostgreSQL the searches wait for its autovacuum to analyze the filled table (at most a
      // naptime, a minute): planned on the statistics of a table a tenth its size, the first
      // searches after a bulk add ran 2-6x slower. The embedded server analyzes by itself every 2 s.
      const settle = mode.env.DATABASE_URL ? () => waitForAutoanalyze(mode.env.DATABASE_URL) : undefined;
      // A fill past 100k outlives an access token (15 minutes): those runs search with an API key.
      const searcher = await Api.register(searches.url);
      const run = await runMemoryBench(
        await Api.register(writes.url),
        texts,
        questions,
        options,
        mode.label,
        memories > 100_000 ? await searcher.withApiKey() : searcher,
        settle,
      );
      figures.push(...run.figures, {
        name: mode.rssName,
        value: await rssMb(searches.pid),
        unit: 'MB',
        target: mode.rssTarget,
        higherIsBetter: false,
      });
      details[mode.label] = run.details;
    } finally {
      await writes.stop();
      await searches.stop();
    }
  }
  const peer = process.env.BENCH_PEER === '0' ? null : await runPeer();
  if (peer)
    details.peer = compareWithPeer(
      figures,
      peer,
      modes.map((m) => m.label),
    );
  // BENCH_RESULT names the results file (a 1M run on PostgreSQL: BENCH_RESULT=memory-1m).
  await record(process.env.BENCH_RESULT ?? 'memory', figures, details);
  if (peer) printComparison(details.peer as Comparison[]);
}

/** Waits until PostgreSQL's autovacuum has analyzed `memories` since now, or has nothing left to (at most two minutes); the seconds waited. */
async function waitForAutoanalyze(databaseUrl: string): Promise<number> {
  const client = new pg.Client(databaseUrl);
  await client.connect();
  const since = new Date();
  try {
    for (;;) {
      // Analyzed since, or too few changes left for a pass to analyze (the server's threshold when
      // PostgreSQL's autovacuum is off; autovacuum's own, 50 rows + 10 %, is lower).
      const { rows } = await client.query<{ at: Date | null; settled: boolean }>(
        `SELECT greatest(last_autoanalyze, last_analyze) AS at, n_mod_since_analyze < $1::float8 + $2::float8 * n_live_tup AS settled FROM pg_stat_user_tables WHERE relname = 'memories'`,
        [BASE_THRESHOLD, SCALE_FACTOR],
      );
      const waited = (Date.now() - since.getTime()) / 1000;
      if ((rows[0]?.at && rows[0].at > since) || rows[0]?.settled || waited > 120) return waited;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await client.end();
  }
}

interface Comparison {
  figure: string;
  value: number;
  peer: string;
  peerValue: number;
  /** How many times better than the peer (higher is better, whatever the unit). */
  times: number;
  goal?: number;
}

/** Runs bench/peer.ts (Mem0 OSS in-process) in its own process, so that its RSS is its own; returns its figures. */
async function runPeer(): Promise<Figure[]> {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'bench', 'peer.js')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, BENCH_PEER_MEMORIES: '10000' },
  });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`bench/peer.js exited with ${code}`);
  const result = JSON.parse(await readFile(join(repoRoot, 'bench', 'results', 'peer.json'), 'utf8')) as {
    figures: Figure[];
  };
  return result.figures;
}

/** Each figure beside the peer's, measured in the same run, with how many times better it is. */
function compareWithPeer(ours: Figure[], peer: Figure[], labels: string[]): Comparison[] {
  const find = (list: Figure[], name: string) => list.find((f) => f.name === name);
  const pairs: [string, string, 'higher' | 'lower', number?][] = labels.flatMap((l) => [
    [`${l} add one by one, 1 client: throughput`, 'peer add one by one (1 client): throughput', 'higher', 1.5],
    [`${l} add one by one, 10 clients: throughput`, 'peer add one by one (10 clients): throughput', 'higher', 5],
    [`${l} add one by one, 10 clients: p95`, 'peer add one by one (10 clients): p95', 'lower'],
    [`${l} search text at 10k: p50`, 'peer search at 10k: p50', 'lower'],
    [`${l} search text at 10k: p95`, 'peer search at 10k: p95', 'lower'],
    [`${l} search vector at 10k: p95`, 'peer search at 10k: p95', 'lower'],
    [`${l} get/update/delete: throughput`, 'peer get/update/delete: throughput', 'higher'],
    [l === 'embedded' ? 'embedded server RSS at 100k' : 'postgres API process RSS at 100k', 'peer peak RSS', 'lower'],
  ]);
  return pairs.flatMap(([mine, theirs, better, goal]) => {
    const a = find(ours, mine);
    const b = find(peer, theirs);
    if (!a || !b) return [];
    const times = better === 'higher' ? a.value / b.value : b.value / a.value;
    return [
      {
        figure: mine,
        value: a.value,
        peer: theirs,
        peerValue: b.value,
        times: round(times),
        ...(goal ? { goal } : {}),
      },
    ];
  });
}

function printComparison(rows: Comparison[]): void {
  process.stdout.write('\nbeside the peer (Mem0 OSS 3.3.1 in-process, same run; × = times better):\n');
  for (const r of rows) {
    const goal = r.goal ? `  goal ≥ ${r.goal}×${r.times >= r.goal ? '' : '  (MISSED)'}` : '';
    process.stdout.write(
      `${r.figure.padEnd(44)} ${String(r.value).padStart(10)}  peer ${String(r.peerValue).padStart(10)}  ${r.times}×${goal}\n`,
    );
  }
}

runIfMain(import.meta.url, main);
