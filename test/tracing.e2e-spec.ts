import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { loadConfig } from '../src/config/app-config.js';
import { QUEUE_NAMES } from '../src/jobs/jobs.types.js';
import { MetricsService } from '../src/observability/metrics.service.js';
import { startTracing } from '../src/observability/tracing.js';
import type { Tracing } from '../src/observability/tracing.js';
import { compileServer, exitOf } from './support/compiled-server.js';
import type { CompiledServer } from './support/compiled-server.js';
import { FakeLlm } from './support/fake-llm.js';
import { freePort } from './support/free-port.js';
import { OtlpReceiver } from './support/otlp-receiver.js';
import type { ReceivedSpan } from './support/otlp-receiver.js';
import { eventually } from './support/realtime-clients.js';
import { bearer, freshStorage, onPostgres, register, startTestApp, TEST_JWT_SECRET } from './support/test-app.js';
import type { Registered, Storage, TestApp } from './support/test-app.js';

/**
 * A metric's value for the labels given (other labels free), after the collectors ran; for a
 * histogram, its count of observations.
 */
async function sample(metrics: MetricsService, name: string, labels: Record<string, string>): Promise<number> {
  await metrics.render();
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { type, values } = await metric.get();
  const series = String(type) === 'histogram' ? `${name}_count` : name;
  const found = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === series &&
      Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value),
  );
  return found?.value ?? 0;
}

/** The span, its parent, its parent's parent... as far as the spans given reach. */
function ancestry<S>(span: S, parentOf: (s: S) => S | undefined): S[] {
  const chain = [span];
  for (let p = parentOf(span); p; p = parentOf(p)) chain.push(p);
  return chain;
}

// First: nothing in this process has started tracing yet.
describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('starts nothing: no tracer records, no context is propagated', async () => {
    expect(await startTracing(loadConfig({}), 'api')).toBeNull();
    const span = trace.getTracer('test').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    expect(carrier).toEqual({});
  });
});

describe('tracing in one process (in-memory span exporter)', () => {
  const exporter = new InMemorySpanExporter();
  const llm = new FakeLlm();
  let tracing: Tracing | null = null;
  let t: TestApp;
  let owner: Registered;
  let metrics: MetricsService;

  const spans = () => exporter.getFinishedSpans();
  const byId = (id: string | undefined) => spans().find((s) => s.spanContext().spanId === id);
  const parentOf = (s: ReadableSpan) => byId(s.parentSpanContext?.spanId);
  const jobSpan = (jobId: string) =>
    spans().find((s) => s.attributes['messaging.message.id'] === jobId && s.kind === SpanKind.CONSUMER);
  const addAsync = (body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/v1/memories')
      .set(bearer(owner.accessToken))
      .send({ userId: 'u', async: true, ...body })
      .expect(202);
  const finished = async (jobId: string) => {
    let state = '';
    await eventually(
      async () => {
        state = (await t.http().get(`/api/v1/jobs/${jobId}`).set(bearer(owner.accessToken)).expect(200)).body.state;
        return (state === 'completed' || state === 'failed') && jobSpan(jobId) !== undefined;
      },
      60_000,
      `job ${jobId} finished and traced`,
    );
    return state;
  };

  beforeAll(async () => {
    await llm.start();
    // The hook of tracing.ts for tests: spans go to the in-memory exporter as they end.
    tracing = await startTracing(loadConfig({}), 'api', { exporter });
    t = await startTestApp({
      ...llm.env,
      JOBS_ATTEMPTS: '1',
    });
    metrics = t.app.get(MetricsService);
    owner = await register(t);
  });
  afterAll(async () => {
    await t?.close();
    await tracing?.shutdown();
    await llm.stop();
  });

  it('makes an async add and its job one trace: the job span is a child of the enqueue span of the request', async () => {
    const { jobId } = (await addAsync({ content: 'Traced from the request to the job', infer: false })).body;
    expect(await finished(jobId)).toBe('completed');

    const job = jobSpan(jobId)!;
    expect(job.name).toBe('job memory-ingest');
    expect(job.attributes).toMatchObject({
      'messaging.destination.name': 'memory-ingest',
      'messaging.message.id': jobId,
      'agentmem.job.attempt': 1,
    });
    expect(job.status.code).not.toBe(SpanStatusCode.ERROR);
    const chain = ancestry(job, parentOf);
    expect(new Set(chain.map((s) => s.spanContext().traceId))).toEqual(new Set([job.spanContext().traceId]));
    const enqueue = chain[1];
    expect(enqueue).toMatchObject({ name: 'enqueue memory-ingest', kind: SpanKind.PRODUCER });
    expect(enqueue.attributes['messaging.message.id']).toBe(jobId);
    // The request that queued it: the HTTP server span of POST /api/v1/memories.
    const server = chain.find((s) => s.kind === SpanKind.SERVER);
    expect(server).toBeDefined();
    expect(server!.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/api/v1/memories' });
    expect(chain.indexOf(server!)).toBeGreaterThan(chain.indexOf(enqueue));
  });

  it('records each attempt in agentmem_job_duration_seconds and reports the queues when scraped', async () => {
    expect(
      await sample(metrics, 'agentmem_job_duration_seconds', { queue: 'memory-ingest', outcome: 'completed' }),
    ).toBeGreaterThan(0);
    // Every queue has its gauges, read from the runner at scrape time (no job waits now).
    await metrics.render();
    const { values } = await metrics.registry.getSingleMetric('agentmem_queue_jobs')!.get();
    const queues = new Set(values.map((v) => v.labels.queue));
    expect(queues).toEqual(new Set(QUEUE_NAMES));
    expect(await sample(metrics, 'agentmem_queue_jobs', { queue: 'memory-ingest', state: 'waiting' })).toBe(0);
    expect(await sample(metrics, 'agentmem_queue_jobs', { queue: 'memory-ingest', state: 'active' })).toBe(0);
  });

  it('marks a failed attempt in its span and counts a job failed for good', async () => {
    llm.script = () => ({ status: 500, body: JSON.stringify({ error: { message: 'model crashed' } }) });
    const failedBefore = await sample(metrics, 'agentmem_jobs_failed_total', { queue: 'memory-ingest' });
    const { jobId } = (await addAsync({ content: 'I speak Finnish', infer: true })).body;
    expect(await finished(jobId)).toBe('failed');

    const job = jobSpan(jobId)!;
    expect(job.status.code).toBe(SpanStatusCode.ERROR);
    expect(job.events.some((e) => e.name === 'exception')).toBe(true);
    await eventually(
      async () =>
        (await sample(metrics, 'agentmem_jobs_failed_total', { queue: 'memory-ingest' })) === failedBefore + 1,
      10_000,
      'the failed job counted',
    );
    expect(
      await sample(metrics, 'agentmem_job_duration_seconds', { queue: 'memory-ingest', outcome: 'failed' }),
    ).toBeGreaterThan(0);
    expect(await sample(metrics, 'agentmem_queue_jobs', { queue: 'memory-ingest', state: 'failed' })).toBeGreaterThan(
      0,
    );
  });
});

const redisUrl = process.env.REDIS_URL;

/**
 * The production shape: a compiled API (JOBS_IN_PROCESS=false) and a compiled worker, each
 * exporting to a collector in the test over OTLP/HTTP. Proves what only a real process shows:
 * the ESM loader hook lets the instrumentations patch HTTP, Express, pg and ioredis, and the
 * trace crosses Redis inside the job.
 */
(onPostgres && redisUrl ? describe : describe.skip)('tracing across processes (compiled API and worker)', () => {
  const receiver = new OtlpReceiver();
  let server: CompiledServer;
  let storage: Storage;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await receiver.start();
    [server, storage] = await Promise.all([compileServer(), freshStorage()]);
  }, 180_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await storage?.drop();
    await server?.remove();
    await receiver.stop();
  });

  it('makes POST /memories (async) and the worker processing it one trace, with Express, ioredis and pg spans', async () => {
    const port = await freePort();
    const env = {
      DATABASE_URL: storage.location,
      JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redisUrl!,
      QUEUE_PREFIX: `trace-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    };
    const api = server.spawn('main', { ...env, PORT: String(port), HOST: '127.0.0.1', JOBS_IN_PROCESS: 'false' });
    children.push(api.child);
    await eventually(() => api.stdout().includes('listening on'), 120_000, `the API started (${api.stderr()})`);
    const worker = server.spawn('worker', env);
    children.push(worker.child);
    await eventually(
      () => worker.stdout().includes('worker running'),
      120_000,
      `the worker started (${worker.stderr()})`,
    );

    const url = `http://127.0.0.1:${port}`;
    // register() only needs the client of the app.
    const owner = await register({ http: () => request(url) } as unknown as TestApp, 'Traced');
    const accepted = await request(url)
      .post('/api/v1/memories')
      .set(bearer(owner.accessToken))
      .send({ content: 'Traced across processes', userId: 'u', infer: false, async: true })
      .expect(202);
    const jobId: string = accepted.body.jobId;
    await eventually(
      async () =>
        (await request(url).get(`/api/v1/jobs/${jobId}`).set(bearer(owner.accessToken)).expect(200)).body.state ===
        'completed',
      60_000,
      `job ${jobId} completed`,
    );
    // A graceful stop exports what the batch processors still hold.
    const exits = [exitOf(api.child), exitOf(worker.child)];
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);

    const spans = receiver.spans;
    const job = spans.find((s) => s.kind === 5 && s.attributes['messaging.message.id'] === jobId);
    expect(job).toMatchObject({ service: 'agentmem-worker', name: 'job memory-ingest' });
    const inTrace = spans.filter((s) => s.traceId === job!.traceId);
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const chain = ancestry<ReceivedSpan>(job!, (s) => byId.get(s.parentSpanId));
    const [, enqueue] = chain;
    expect(enqueue).toMatchObject({ service: 'agentmem-api', name: 'enqueue memory-ingest', kind: 4 });
    // The HTTP server span of the request, named by its route (the Express instrumentation).
    const root = chain[chain.length - 1];
    expect(root).toMatchObject({ service: 'agentmem-api', kind: 2, name: 'POST /api/v1/memories', parentSpanId: '' });
    const apiSpans = inTrace.filter((s) => s.service === 'agentmem-api');
    const workerSpans = inTrace.filter((s) => s.service === 'agentmem-worker');
    expect(apiSpans.some((s) => s.scope === '@opentelemetry/instrumentation-express')).toBe(true);
    // Queuing is Redis commands under the enqueue span; the worker's add is SQL under the job span.
    expect(
      apiSpans.some((s) => s.scope === '@opentelemetry/instrumentation-ioredis' && s.parentSpanId === enqueue.spanId),
    ).toBe(true);
    const workerSql = workerSpans.filter((s) => s.scope === '@opentelemetry/instrumentation-pg');
    expect(workerSql.length).toBeGreaterThan(0);
    for (const sql of workerSql) expect(ancestry<ReceivedSpan>(sql, (s) => byId.get(s.parentSpanId))).toContain(job);
    // No stray traces: BullMQ's polling and the pool's housekeeping make no root spans.
    expect(spans.filter((s) => s.parentSpanId === '' && s.scope.match(/ioredis|pg$/))).toEqual([]);

    // The worker's log line for the job carries the trace id.
    const logged = worker
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; job?: string; traceId?: string; spanId?: string })
      .find((line) => line.msg === 'job completed' && line.job === jobId);
    expect(logged).toMatchObject({ traceId: job!.traceId, spanId: job!.spanId });
  }, 300_000);
});
