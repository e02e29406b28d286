import { existsSync } from 'node:fs';
import { credentials, loadGet } from '../bench/http.js';
import { Api, evaluate, ingest, loadConversations, LOCOMO_DIR, turnText } from '../bench/locomo.js';
import { runMemoryBench } from '../bench/memory.js';
import { runPeerBench } from '../bench/peer.js';
import { runCompatBench } from '../bench/compat.js';
import { runAgentBench } from '../bench/agent.js';
import { cacheFigures, runCacheWorkload } from '../bench/cache.js';
import { OPERATIONS, prepareLoad, runLoadBench, scriptLlm } from '../bench/load.js';
import { FakeEmbeddings } from './support/fake-embeddings.js';
import { FakeLlm } from './support/fake-llm.js';
import { runRealtimeBench } from '../bench/realtime.js';
import { runToolsBench } from '../bench/tools.js';
import { startTestApp } from './support/test-app.js';
import type { TestApp } from './support/test-app.js';

// Small runs of each benchmark's code against a test app: they prove the benchmarks still work
// (auth, routes, measurement) without timing anything.
describe('benchmark smoke runs', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Vectors stored, so that bench/memory.ts's vector leg can be searched.
    t = await startTestApp({ VECTOR_SEARCH: 'on' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('bench/http.ts loads an authenticated GET with an API key and a JWT, without failures', async () => {
    const { jwt, apiKey } = await credentials(t.url);
    const variants: Record<string, string>[] = [{ 'x-api-key': apiKey }, { authorization: `Bearer ${jwt}` }];
    for (const headers of variants) {
      const result = await loadGet(`${t.url}/api/v1/auth/me`, headers, 1, 2);
      // A smoke run proves the benchmark works, not how fast: a loaded CI machine may answer few in 1 s.
      expect(result.requests).toBeGreaterThan(0);
      expect(result).toMatchObject({ errors: 0, non2xx: 0 });
      expect(result.p95Ms).toBeGreaterThanOrEqual(result.p50Ms);
    }
  });

  const locomo = existsSync(LOCOMO_DIR);
  (locomo ? it : it.skip)(
    'bench/locomo.ts ingests a LoCoMo slice and finds the evidence of its questions',
    async () => {
      const [conversation] = await loadConversations();
      const sessions = conversation.sessions.slice(0, 2);
      const ids = new Set(sessions.flatMap((s) => s.turns.map((turn) => turn.dia_id)));
      const slice = {
        ...conversation,
        sessions,
        questions: conversation.questions.filter((q) => q.evidence.every((e) => ids.has(e))).slice(0, 15),
      };
      expect(slice.questions.length).toBeGreaterThan(3);
      const api = await Api.register(t.url);
      expect(await ingest(api, [slice], 'smoke')).toBe(ids.size);
      const result = await evaluate(api, [slice], 'default', 'smoke');
      expect(result.questions).toBe(slice.questions.length);
      // Two sessions hold ~40 turns: the evidence must mostly be in the top 10.
      expect(result.recall['@10']).toBeGreaterThan(0.5);
      expect(result.recall['@20']).toBeGreaterThanOrEqual(result.recall['@10']);
    },
  );

  (locomo ? it : it.skip)(
    'bench/memory.ts adds one by one and in batches, searches, and reads, updates and deletes',
    async () => {
      const conversations = await loadConversations();
      const texts = conversations[0].sessions.flatMap((s) => s.turns.map(turnText));
      const questions = conversations[0].questions.map((q) => q.question);
      const api = await Api.register(t.url);
      const { figures } = await runMemoryBench(
        api,
        texts,
        questions,
        { memories: 400, searches: 10, oneByOne: 40, batch: 60, concurrency: 2 },
        'smoke',
      );
      const names = figures.map((f) => f.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'smoke add one by one, 1 client: throughput',
          'smoke add one by one, 2 clients: throughput',
          'smoke add in batches of 60: throughput',
          'smoke get/update/delete: throughput',
        ]),
      );
      for (const f of figures) expect(f.value).toBeGreaterThan(0);
    },
  );

  (locomo ? it : it.skip)('bench/peer.ts runs Mem0 OSS on a tiny workload, without any LLM call', async () => {
    const { figures, details } = await runPeerBench({ single: 20, memories: 200, searches: 10, crud: 10 });
    expect(figures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'peer add one by one (1 client): throughput',
        'peer add one by one (10 clients): throughput',
        'peer get/update/delete: throughput',
      ]),
    );
    for (const f of figures) expect(f.value).toBeGreaterThan(0);
    expect(details.llmRequests).toBe(0);
  });

  (locomo ? it : it.skip)(
    'bench/compat.ts adds and searches through the Mem0 client, the MCP client and the native API',
    async () => {
      const api = await Api.register(t.url);
      const { key } = await api.post<{ key: string }>('/api/v1/api-keys', { name: 'compat' });
      const figures = await runCompatBench(t.url, key, { adds: 6, memories: 200, searches: 4 });
      expect(figures.map((f) => f.name)).toEqual(
        expect.arrayContaining([
          'native adds, 10 clients',
          'mem0 adds, 1 client',
          'mcp adds, 10 clients',
          'mem0/native search p95',
          'mcp search p95 at 200',
        ]),
      );
      for (const f of figures) expect(f.value).toBeGreaterThan(0);
    },
  );

  it('bench/realtime.ts broadcasts to sockets and SSE clients, sustains events, and times jobs', async () => {
    const api = await Api.register(t.url);
    const { figures, details } = await runRealtimeBench(
      api,
      { sockets: 20, sse: 5, rounds: 3, sustainSeconds: 1, jobs: 20, importRows: 200 },
      'smoke',
    );
    expect(figures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'smoke broadcast to 20 sockets: p50',
        'smoke broadcast to 5 SSE clients: p50',
        'smoke started job visible to a client: p50',
        'smoke async adds: jobs/s (HTTP enqueue → completed)',
      ]),
    );
    for (const f of figures) expect(Number.isFinite(f.value) && f.value > 0).toBe(true);
    expect(details.sustained).toEqual(expect.objectContaining({ lost: 0 }));
    expect(details.jobs).toEqual(expect.objectContaining({ completed: 20 }));
  });

  it('bench/tools.ts runs a trivial tool cold, warm and concurrently, and a heavy one', async () => {
    const api = await Api.register(t.url);
    const { figures } = await runToolsBench(api, { sequential: 6, concurrent: 8, clients: 3, heavy: 3 }, 'smoke');
    expect(figures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'smoke cold run inside the sandbox (isolate made for the call): p50',
        'smoke warm run inside the sandbox (isolate made ahead): p50',
        'smoke trivial runs/s, 3 clients',
        'smoke heavy runs/s, 3 clients',
      ]),
    );
    for (const f of figures) expect(Number.isFinite(f.value) && f.value > 0).toBe(true);
  });
});

describe('agent and load benchmark smoke runs (one app with the fake LLM)', () => {
  const llm = new FakeLlm();
  let t: TestApp;
  beforeAll(async () => {
    await llm.start();
    t = await startTestApp({
      ...llm.env,
    });
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
  });

  it('bench/agent.ts times plain and streamed turns against the fake LLM', async () => {
    const api = await Api.register(t.url);
    const { figures, details } = await runAgentBench(
      api,
      llm,
      { turns: 5, streamedTurns: 3, llmLatencyMs: 5 },
      'smoke',
    );
    expect(figures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'smoke turn overhead beyond the LLM: p50',
        'smoke streamed: first byte: p50',
        'smoke streamed: token delay after the LLM: p50',
        'smoke sequential turns/s',
      ]),
    );
    for (const f of figures) expect(Number.isFinite(f.value)).toBe(true);
    expect(details).toEqual(expect.objectContaining({ messagesInConversation: 16 }));
    expect(llm.requests.filter((r) => !r.response_format)).toHaveLength(8);
  });

  it('bench/load.ts runs searches, adds, async adds and agent turns over concurrent connections, without errors', async () => {
    scriptLlm(llm, 0); // after the agent smoke run, which scripts its own answers
    const turnsBefore = llm.requests.filter((r) => !r.response_format).length;
    const target = await prepareLoad(t.url, 40, 2);
    // The same app twice in the list: the benchmark spreads its connections over the URLs it gets.
    const { figures, details } = await runLoadBench(
      { ...target, urls: [t.url, t.url] },
      { connections: [4], secondsPerLevel: 2 },
      'smoke',
    );
    const level = (details.levels as { connections: number; requests: number; errors: number }[])[0];
    expect(level).toEqual(expect.objectContaining({ connections: 4, errors: 0 }));
    expect(level.requests).toBeGreaterThan(0);
    expect(figures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'smoke 4 connections: throughput',
        'smoke 4 connections: error rate',
        'smoke 4 connections: search p95',
        'smoke 4 connections: agent turn p99',
      ]),
    );
    for (const f of figures) expect(Number.isFinite(f.value)).toBe(true);
    expect(figures.find((f) => f.name === 'smoke 4 connections: error rate')!.value).toBe(0);
    // Each operation of the mix ran at least once, agent turns included (they call the LLM).
    for (const op of OPERATIONS)
      expect(
        (details.levels as { operations: Record<string, { requests: number }> }[])[0].operations[op].requests,
      ).toBeGreaterThan(0);
    expect(llm.requests.filter((r) => !r.response_format).length).toBeGreaterThan(turnsBefore);
  });
});

describe('cache benchmark smoke run', () => {
  const embeddings = new FakeEmbeddings();
  const chat = new FakeLlm();
  let t: TestApp;
  beforeAll(async () => {
    await embeddings.start();
    await chat.start();
    chat.script = (r) => (r.response_format ? '{"facts": []}' : 'Noted.');
    t = await startTestApp({
      ...chat.env,
      ...embeddings.env,
      AGENT_CONTEXT_MEMORIES: '0',
    });
  });
  afterAll(async () => {
    await t?.close();
    await chat.stop();
    await embeddings.stop();
  });

  it('bench/cache.ts runs its adds, searches and turns and counts what reached the embedder', async () => {
    const options = { texts: 4, operations: 12, clients: 2, turns: 3, changeEvery: 2 };
    const result = await runCacheWorkload(t.url, t.url, embeddings, options);
    // At most each text and each question once (4 + 4), though 12 were asked.
    expect(result.textsEmbedded).toBeGreaterThan(0);
    expect(result.textsEmbedded).toBeLessThanOrEqual(8);
    expect(result.add.p50).toBeGreaterThan(0);
    expect(result.turn.p50).toBeGreaterThan(0);
    expect(cacheFigures(result, result).map((f) => f.name)).toContain('embedding hit ratio (texts not embedded)');
  });
});
