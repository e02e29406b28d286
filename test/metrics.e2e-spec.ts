import type { Socket } from 'socket.io-client';
import { createWorker } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/app-config.js';
import { MetricsServer } from '../src/observability/metrics-server.js';
import { FakeLlm } from './support/fake-llm.js';
import { connected, eventually, nextEvent, SseClient, socketClient } from './support/realtime-clients.js';
import { bearer, expectErrorShape, onPostgres, register, startTestApp, TEST_JWT_SECRET } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

const TOKEN = 'metrics-token-0123456789abcdef';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments and blank lines left out). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels include `labels` (summed when several match). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length === 0)
    throw new Error(
      `no sample ${name}${JSON.stringify(labels)}; have ${JSON.stringify(samples.filter((s) => s.name === name).map((s) => s.labels))}`,
    );
  return found.reduce((sum, s) => sum + s.value, 0);
}

describe('metrics: GET /metrics (METRICS_TOKEN) and METRICS_PORT', () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let a: Registered;
  const sockets: Socket[] = [];
  let sse: SseClient | null = null;

  const http = () => t.http();
  const as = () => bearer(a.accessToken);
  const scrape = async () => {
    const res = await http().get('/metrics').set(bearer(TOKEN)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(res.text);
  };
  const finished = async (id: string) =>
    eventually(
      async () =>
        ['completed', 'failed'].includes((await http().get(`/api/v1/jobs/${id}`).set(as()).expect(200)).body.state),
      30_000,
      `job ${id} finished`,
    );

  beforeAll(async () => {
    await llm.start();
    llm.script = (request) => (request.response_format ? '{"facts": []}' : 'Hello.');
    t = await startTestApp({
      ...llm.env,
      METRICS_TOKEN: TOKEN,
      METRICS_PORT: '0',
    });
    a = await register(t, 'Metrics org');
  });
  afterAll(async () => {
    sse?.close();
    for (const s of sockets) s.disconnect();
    await t?.close();
    await llm.stop();
  });

  it('lists the metrics of each kind of request, labelled by route template and never by id', async () => {
    const socket = await connected(socketClient(t.url, a.accessToken));
    sockets.push(socket);
    sse = new SseClient(`${t.url}/api/v1/sse`, a.accessToken, ['memory_update']);
    await sse.opened();

    // A synchronous add (without the LLM's inference), read back by id, and searched.
    const socketEvent = nextEvent(socket, 'memory_update');
    const added = await http()
      .post('/api/v1/memories')
      .set(as())
      .send({ content: 'Alice likes green tea', userId: 'u1', infer: false })
      .expect(201);
    const memoryId: string = added.body.results[0].id;
    await socketEvent;
    await sse.next((m) => m.type === 'memory_update');
    await http().get(`/api/v1/memories/${memoryId}`).set(as()).expect(200);
    await http().post('/api/v1/memories/search').set(as()).send({ query: 'green tea', userId: 'u1' }).expect(200);
    // A guard's refusal and an unknown path.
    await http().get(`/api/v1/memories/${memoryId}`).expect(401);
    await http().get('/api/v1/no-such-route/123').set(as()).expect(404);

    // An async add (queued, then processed) and an import.
    const queued = await http()
      .post('/api/v1/memories')
      .set(as())
      .send({ content: 'Bob drinks coffee', userId: 'u2', infer: false, async: true })
      .expect(202);
    await finished(queued.body.jobId);
    const imported = await http()
      .post('/api/v1/memories/import')
      .set(as())
      .set('Content-Type', 'application/x-ndjson')
      .send('{"content": "one", "userId": "u3"}\n{"content": "two", "userId": "u3"}\n')
      .expect(202);
    await finished(imported.body.jobId);

    // An agent turn with the fake LLM, read through the Letta route as well, and a tool run.
    const agent = (await http().post('/api/v1/agents').set(as()).send({ name: 'helper' }).expect(201)).body;
    await http()
      .post(`/api/v1/agents/${agent.id}/messages`)
      .set(as())
      .send({ messages: [{ role: 'user', content: 'Hi there' }] })
      .expect(200);
    await http().get(`/v1/agents/${agent.id}`).set(as());
    const tool = (
      await http()
        .post('/api/v1/tools')
        .set(as())
        .send({
          name: 'add',
          description: 'adds',
          parameters: { type: 'object' },
          sourceCode: 'return args.a + args.b',
        })
        .expect(201)
    ).body;
    await http()
      .post(`/api/v1/tools/${tool.id}/run`)
      .set(as())
      .send({ args: { a: 1, b: 2 } })
      .expect(200);

    const samples = await scrape();
    const http_ = 'agentmem_http_request_duration_seconds_count';
    expect(
      valueOf(samples, http_, { route: '/api/v1/memories', method: 'POST', status: '201' }),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, http_, { route: '/api/v1/memories/:id', method: 'GET', status: '200' })).toBe(1);
    expect(valueOf(samples, http_, { route: '/api/v1/memories/:id', method: 'GET', status: '401' })).toBe(1);
    expect(valueOf(samples, http_, { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, http_, { route: '/api/v1/memories/search', method: 'POST' })).toBe(1);
    expect(valueOf(samples, http_, { route: '/api/v1/agents/:id/messages', method: 'POST' })).toBe(1);
    expect(valueOf(samples, http_, { route: '/api/v1/tools/:id/run', method: 'POST', status: '200' })).toBe(1);
    expect(valueOf(samples, http_, { route: '/v1/agents/:id', method: 'GET' })).toBe(1);
    // Ids never become label values (bounded cardinality).
    const labelValues = samples.flatMap((s) => Object.values(s.labels));
    for (const id of [memoryId, agent.id, tool.id, queued.body.jobId]) expect(labelValues.join(' ')).not.toContain(id);

    expect(valueOf(samples, 'agentmem_search_duration_seconds_count', { leg: 'total' })).toBeGreaterThanOrEqual(2);
    const legs = new Set(
      samples.filter((s) => s.name === 'agentmem_search_duration_seconds_count').map((s) => s.labels.leg),
    );
    expect([...legs].some((l) => l === 'statement' || l.startsWith('index_'))).toBe(true);

    expect(valueOf(samples, 'agentmem_memory_adds_total', { path: 'sync' })).toBe(1);
    expect(valueOf(samples, 'agentmem_memory_adds_total', { path: 'async_enqueued' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_memory_adds_total', { path: 'async_processed' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_memory_adds_total', { path: 'import' })).toBe(2);

    const model = { provider: 'openai-compatible', model: 'fake-model' };
    expect(valueOf(samples, 'agentmem_llm_requests_total', { ...model, outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_llm_duration_seconds_count', model)).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_llm_tokens_total', { ...model, kind: 'input' })).toBeGreaterThanOrEqual(10);
    expect(valueOf(samples, 'agentmem_llm_tokens_total', { ...model, kind: 'output' })).toBeGreaterThanOrEqual(10);

    expect(valueOf(samples, 'agentmem_tool_runs_total', { status: 'ok' })).toBe(1);
    expect(valueOf(samples, 'agentmem_sandbox_capacity')).toBe(t.config.TOOLS_CONCURRENCY);
    expect(valueOf(samples, 'agentmem_sandbox_busy')).toBe(0);
    expect(valueOf(samples, 'agentmem_sandbox_waiting')).toBe(0);

    expect(valueOf(samples, 'agentmem_socketio_connections')).toBe(1);
    expect(valueOf(samples, 'agentmem_sse_streams')).toBe(1);
    expect(valueOf(samples, 'agentmem_events_published_total', { event: 'memory.created' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_events_delivered_total', { channel: 'socketio' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_events_delivered_total', { channel: 'sse' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_event_delivery_lag_seconds_count', { channel: 'sse' })).toBeGreaterThanOrEqual(1);

    expect(valueOf(samples, 'agentmem_db_up')).toBe(1);
    expect(valueOf(samples, 'agentmem_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'agentmem_db_pool_connections', { state: 'waiting' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    // The scrape itself is a request of its own route.
    const again = await scrape();
    expect(valueOf(again, http_, { route: '/metrics', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1);
  });

  it('refuses a caller without the token, with a wrong one, and with a user access token (401)', async () => {
    for (const headers of [{}, bearer('metrics-token-wrong-0123456789'), bearer(TOKEN + 'x'), as()]) {
      const res = await http().get('/metrics').set(headers).expect(401);
      expectErrorShape(res.body, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.text).not.toContain('agentmem_');
    }
  });

  it('answers on METRICS_PORT without a token, and only /metrics there', async () => {
    const port = t.app.get(MetricsServer).port;
    expect(port).toEqual(expect.any(Number));
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const samples = parseExposition(await res.text());
    expect(valueOf(samples, 'agentmem_db_up')).toBe(1);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  // A worker needs a shared jobs backend: BullMQ on the PostgreSQL server of the e2e-postgres project.
  (onPostgres ? it : it.skip)("serves a worker's metrics on its METRICS_PORT", async () => {
    const worker = await createWorker(
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: t.storage.location,
        JWT_SECRET: TEST_JWT_SECRET,
        JOBS_BACKEND: 'postgres',
        METRICS_PORT: '0',
      }),
    );
    try {
      const res = await fetch(`http://127.0.0.1:${worker.get(MetricsServer).port}/metrics`);
      expect(res.status).toBe(200);
      const samples = parseExposition(await res.text());
      expect(valueOf(samples, 'agentmem_db_up')).toBe(1);
      expect(valueOf(samples, 'agentmem_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    } finally {
      await worker.close();
    }
  });

  it('is a 404 on the API without METRICS_TOKEN, saying how to turn it on', async () => {
    const plain = await startTestApp();
    try {
      const res = await plain.http().get('/metrics').set(bearer(TOKEN)).expect(404);
      expectErrorShape(res.body, 404);
      expect(res.body.message).toMatch(/METRICS_TOKEN/);
      expect(plain.app.get(MetricsServer).port).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
