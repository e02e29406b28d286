/**
 * The peer: Mem0's OSS TypeScript library (`mem0ai/oss`, pinned at 3.3.1) on bench/memory.ts's
 * workload, in this process. LoCoMo texts (`textAt(i)` as memory.ts makes them), 10 users,
 * metadata `{ n: i }`, every add `infer: false`:
 *   1. adds one by one from one client (BENCH_PEER_SINGLE, 1000): adds/s, p50, p95;
 *   2. adds one by one from 10 concurrent clients until the store holds BENCH_PEER_MEMORIES
 *      (10000): adds/s, p50, p95;
 *   3. BENCH_PEER_SEARCHES (200) LoCoMo questions searched at that size, 4 at a time, top 10 of
 *      one user: p50, p95;
 *   4. get + update (metadata) + delete of BENCH_PEER_CRUD (100) memories of user-0, 10 at a
 *      time: ops/s (3 per memory);
 *   5. the process's peak RSS (sampled every 100 ms), Mem0 and this harness together.
 * `npm run bench:peer` writes bench/results/peer.json.
 *
 * Mem0's configuration: its defaults, except where they need the network (embedder, LLM) or
 * would write outside a temporary folder.
 * - Vector store: the default `memory` provider, which in 3.3.1 is a better-sqlite3 table holding
 *   every vector and payload (default file ~/.mem0/vector_store.db; here the same kind of file in
 *   a fresh temporary folder, so runs do not pile up). A search reads and JSON-parses every row
 *   twice (cosine, then BM25, both in JavaScript), whatever the user filter; an empty `_entities`
 *   store beside it is searched too (infer=false links no entities).
 * - History store: the default `sqlite` provider (better-sqlite3, a file in the same folder,
 *   instead of the default ./memory.db). BENCH_PEER_STORAGE=memory puts both on `:memory:`.
 * - Embedder: AgentMem's own LexicalEmbedder (384 dimensions), the embedder the AgentMem figures
 *   of bench/memory.ts use, handed to Mem0's `langchain` provider as an object with LangChain's
 *   `embedQuery`/`embedDocuments`: in-process and without HTTP, so neither side pays for an
 *   embedding server and both hash the same features.
 * - LLM: Mem0's default `openai` provider with a dummy key, pointed at an HTTP listener in this
 *   process that counts requests; with infer=false none may come (the run fails if one does).
 * - Telemetry off (MEM0_TELEMETRY=false, read when the module loads, hence the dynamic import),
 *   MEM0_DIR in the temporary folder, so that nothing is written to the home folder.
 * - The ESM build (dist/oss/index.mjs) cannot `require` its optional `compromise`/`natural`
 *   peers, so entity extraction and stemming take its built-in regex fallbacks.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryConfig } from 'mem0ai/oss';
import { LexicalEmbedder } from '../src/llm/embedding/lexical-embedder.js';
import { loadConversations, turnText } from './locomo.js';
import { pool } from './memory.js';
import { percentile, record, repoRoot, runIfMain } from './support.js';
import type { Figure } from './support.js';

const USERS = 10;
const DIMENSIONS = 384;

export interface PeerBenchOptions {
  /** Adds one by one from one client. */
  single: number;
  /** The store's size after the concurrent adds (the single adds included). */
  memories: number;
  /** Searches at that size. */
  searches: number;
  /** Memories of user-0 read, updated and deleted. */
  crud: number;
  /** Concurrent clients of the adds and of get/update/delete (10). */
  concurrency?: number;
  /** Concurrent searches (4, as bench/memory.ts). */
  searchConcurrency?: number;
  /** `file` (Mem0's default: SQLite files) or `memory` (SQLite `:memory:`). */
  storage?: 'file' | 'memory';
  /** Memory texts and questions; the LoCoMo dev split when absent. */
  texts?: string[];
  questions?: string[];
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** The LexicalEmbedder behind LangChain's Embeddings interface, the shape Mem0's `langchain` provider calls. */
class LexicalLangchainEmbeddings {
  calls = 0;
  texts = 0;
  private readonly embedder = new LexicalEmbedder(DIMENSIONS);

  async embedQuery(text: string): Promise<number[]> {
    this.calls++;
    this.texts++;
    return this.embedder.embedOne(text);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls++;
    this.texts += texts.length;
    return this.embedder.embed(texts);
  }
}

/** An OpenAI-compatible base URL that only counts what reaches it (it answers 503). */
async function countingLlmEndpoint(): Promise<{ baseURL: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"no LLM in bench:peer"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The process's RSS, sampled every 100 ms; `stop()` returns the peak in MB. */
function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20, 1);
    },
  };
}

async function mem0Version(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'node_modules', 'mem0ai', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Loads mem0ai/oss with its telemetry off and its config folder in `dir` (both read from the environment). */
async function importMem0(dir: string): Promise<typeof import('mem0ai/oss')> {
  process.env.MEM0_TELEMETRY = 'false';
  process.env.MEM0_DIR = dir;
  return import('mem0ai/oss');
}

export async function runPeerBench(
  options: PeerBenchOptions,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const o = { concurrency: 10, searchConcurrency: 4, storage: 'file' as const, ...options };
  if (o.memories < o.single) throw new Error(`memories (${o.memories}) must be at least single (${o.single})`);
  const started = performance.now();
  const rss = sampleRss();
  let texts = o.texts;
  let questions = o.questions;
  if (!texts || !questions) {
    const conversations = await loadConversations();
    texts ??= conversations.flatMap((c) => c.sessions.flatMap((s) => s.turns.map(turnText)));
    questions ??= conversations.flatMap((c) => c.questions.map((q) => q.question));
  }
  const corpus = texts;
  const textAt = (i: number) => `${corpus[i % corpus.length]}${i >= corpus.length ? ` (note ${i})` : ''}`;

  const dir = await mkdtemp(join(tmpdir(), 'agentmem-peer-'));
  const llm = await countingLlmEndpoint();
  const previousEnv = { MEM0_TELEMETRY: process.env.MEM0_TELEMETRY, MEM0_DIR: process.env.MEM0_DIR };
  try {
    const { Memory } = await importMem0(dir);
    const embeddings = new LexicalLangchainEmbeddings();
    const file = (name: string) => (o.storage === 'memory' ? ':memory:' : join(dir, name));
    const config: Partial<MemoryConfig> = {
      embedder: { provider: 'langchain', config: { model: embeddings, embeddingDims: DIMENSIONS } },
      vectorStore: {
        provider: 'memory',
        config: { collectionName: 'memories', dimension: DIMENSIONS, dbPath: file('vector_store.db') },
      },
      llm: { provider: 'openai', config: { apiKey: 'sk-unused', baseURL: llm.baseURL, model: 'gpt-5-mini' } },
      historyStore: { provider: 'sqlite', config: { historyDbPath: file('history.db') } },
    };
    const memory = new Memory(config);
    const figures: Figure[] = [];
    const details: Record<string, unknown> = {
      options: {
        single: o.single,
        memories: o.memories,
        searches: o.searches,
        crud: o.crud,
        concurrency: o.concurrency,
        searchConcurrency: o.searchConcurrency,
        storage: o.storage,
      },
      mem0: {
        version: await mem0Version(),
        embedder: `langchain provider wrapping AgentMem's LexicalEmbedder (${DIMENSIONS} dimensions), in-process`,
        vectorStore: `memory provider (better-sqlite3, ${o.storage === 'memory' ? ':memory:' : 'a file'})`,
        historyStore: `sqlite (better-sqlite3, ${o.storage === 'memory' ? ':memory:' : 'a file'})`,
        llm: 'openai provider, dummy key, never called (infer=false)',
      },
    };
    const addOne = async (i: number) => {
      const added = await memory.add(textAt(i), { userId: `user-${i % USERS}`, infer: false, metadata: { n: i } });
      if (added.results.length !== 1) throw new Error(`add ${i} stored ${added.results.length} memories`);
    };

    // 1. One client.
    const alone = await pool(o.single, 1, addOne);
    details['add one by one (1 client)'] = {
      adds: o.single,
      seconds: round(alone.seconds),
      p50: round(percentile(alone.latencies, 50)),
      p95: round(percentile(alone.latencies, 95)),
    };
    figures.push({
      name: 'peer add one by one (1 client): throughput',
      value: round(o.single / alone.seconds, 0),
      unit: 'adds/s',
      higherIsBetter: true,
    });

    // 2. Ten clients, up to the store's size.
    const rest = o.memories - o.single;
    const many = await pool(rest, o.concurrency, (i) => addOne(o.single + i));
    details[`add one by one (${o.concurrency} clients)`] = { adds: rest, seconds: round(many.seconds) };
    figures.push(
      {
        name: `peer add one by one (${o.concurrency} clients): throughput`,
        value: round(rest / many.seconds, 0),
        unit: 'adds/s',
        higherIsBetter: true,
      },
      {
        name: `peer add one by one (${o.concurrency} clients): p50`,
        value: round(percentile(many.latencies, 50)),
        unit: 'ms',
        higherIsBetter: false,
      },
      {
        name: `peer add one by one (${o.concurrency} clients): p95`,
        value: round(percentile(many.latencies, 95)),
        unit: 'ms',
        higherIsBetter: false,
      },
    );

    // 3. Search at that size: one user's top 10 (Mem0 3.3.1 takes the user in `filters`, the limit as `topK`).
    const asked = questions;
    let hits = 0;
    const searchEmbedsBefore = embeddings.texts;
    const search = await pool(o.searches, o.searchConcurrency, async (i) => {
      const found = await memory.search(asked[i % asked.length], {
        filters: { user_id: `user-${i % USERS}` },
        topK: 10,
      });
      hits += found.results.length;
    });
    const size = `${round(o.memories / 1000, 1)}k`;
    details[`search at ${size}`] = {
      searches: o.searches,
      seconds: round(search.seconds),
      hitsPerSearch: round(hits / Math.max(1, o.searches), 1),
      textsEmbeddedPerSearch: round((embeddings.texts - searchEmbedsBefore) / Math.max(1, o.searches), 1),
    };
    figures.push(
      {
        name: `peer search at ${size}: p50`,
        value: round(percentile(search.latencies, 50)),
        unit: 'ms',
        higherIsBetter: false,
      },
      {
        name: `peer search at ${size}: p95`,
        value: round(percentile(search.latencies, 95)),
        unit: 'ms',
        higherIsBetter: false,
      },
    );

    // 4. get + update + delete, three operations per memory of user-0.
    const ids = (await memory.getAll({ filters: { user_id: 'user-0' }, topK: o.crud })).results.map((m) => m.id);
    const crud = await pool(ids.length, o.concurrency, async (i) => {
      if (!(await memory.get(ids[i]))) throw new Error(`memory ${ids[i]} not found`);
      await memory.update(ids[i], { metadata: { touched: i } });
      await memory.delete(ids[i]);
    });
    details['get/update/delete'] = {
      memories: ids.length,
      seconds: round(crud.seconds),
      p50PerMemory: round(percentile(crud.latencies, 50)),
      p95PerMemory: round(percentile(crud.latencies, 95)),
    };
    figures.push({
      name: 'peer get/update/delete: throughput',
      value: round((ids.length * 3) / crud.seconds, 0),
      unit: 'ops/s',
      higherIsBetter: true,
    });

    if (llm.requests() > 0) throw new Error(`Mem0 sent ${llm.requests()} requests to the LLM with infer=false`);
    details.llmRequests = llm.requests();
    details.embedderCalls = embeddings.calls;
    figures.push({ name: 'peer peak RSS', value: rss.stop(), unit: 'MB', higherIsBetter: false });
    details.seconds = round((performance.now() - started) / 1000, 1);
    return { figures, details };
  } finally {
    rss.stop();
    await llm.close();
    for (const [key, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options: PeerBenchOptions = {
    single: Number(process.env.BENCH_PEER_SINGLE ?? 1000),
    memories: Number(process.env.BENCH_PEER_MEMORIES ?? 10_000),
    searches: Number(process.env.BENCH_PEER_SEARCHES ?? 200),
    crud: Number(process.env.BENCH_PEER_CRUD ?? 100),
    storage: process.env.BENCH_PEER_STORAGE === 'memory' ? 'memory' : 'file',
  };
  const { figures, details } = await runPeerBench(options);
  await record('peer', figures, details);
}

runIfMain(import.meta.url, main);
