import type { Socket } from 'socket.io-client';
import { importLines } from './support/import-lines.js';
import { connected, eventually, nextEvent, socketClient } from './support/realtime-clients.js';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../src/common/ids.js';
import { BullmqJobRunner } from '../src/jobs/runners/bullmq-job-runner.js';
import { JobRunner } from '../src/jobs/runners/job-runner.js';
import { QUEUE_NAMES } from '../src/jobs/jobs.types.js';
import { bearer, expectErrorShape, onPostgres, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/**
 * The same behaviour on every jobs backend this run can reach: in-process (embedded) or BullMQ
 * on PostgreSQL (e2e-postgres), and BullMQ on Redis when REDIS_URL is set.
 */
const ADMIN_TOKEN = 'admin-token-for-the-dashboard-0123';

const backends: [string, Record<string, string>][] = [
  ['default backend', {}],
  ...(process.env.REDIS_URL
    ? [['BullMQ on Redis', { REDIS_URL: process.env.REDIS_URL }] as [string, Record<string, string>]]
    : []),
];

describe.each(backends)('Jobs on the %s: import, export, async add, status', (_name, env) => {
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  const sockets: Socket[] = [];

  const job = (who: Registered, id: string) => t.http().get(`/api/v1/jobs/${id}`).set(bearer(who.accessToken));
  const finished = async (who: Registered, id: string) => {
    let body: Record<string, unknown> = {};
    await eventually(
      async () => {
        body = (await job(who, id).expect(200)).body;
        return body.state === 'completed' || body.state === 'failed';
      },
      60_000,
      `job ${id} finished`,
    );
    return body;
  };
  const importBody = (who: Registered, body: string) =>
    t
      .http()
      .post('/api/v1/memories/import')
      .set(bearer(who.accessToken))
      .set('Content-Type', 'application/x-ndjson')
      .send(body);
  const count = async (who: Registered, userId?: string) => {
    let total = 0;
    let cursor: string | null = null;
    do {
      const res: { body: { data: unknown[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/memories')
        .query({ limit: 100, ...(userId ? { userId } : {}), ...(cursor ? { cursor } : {}) })
        .set(bearer(who.accessToken))
        .expect(200);
      total += res.body.data.length;
      cursor = res.body.nextCursor;
    } while (cursor);
    return total;
  };

  beforeAll(async () => {
    // Vectors on, so that the re-embed job has embeddings to recompute with the lexical embedder.
    t = await startTestApp({ ...env, ADMIN_TOKEN, HISTORY_RETENTION_DAYS: '7', VECTOR_SEARCH: 'on' });
    expect(t.app.get(JobRunner).kind).toBe(env.REDIS_URL ? 'redis' : onPostgres ? 'postgres' : 'inline');
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports JSON Lines as a job whose progress a socket client sees, storing every row once', async () => {
    const socket = await connected(socketClient(t.url, a.accessToken));
    sockets.push(socket);
    const progress: number[] = [];
    socket.on(
      'job_progress',
      (e: { progress: number; state: string }) => e.state === 'active' && progress.push(e.progress),
    );
    const res = await importBody(a, importLines(2000)).expect(202);
    expect(res.body).toEqual({ jobId: expect.any(String), rows: 2000 });
    const done = await nextEvent<{ state: string; result: { stored: number } }>(
      socket,
      'job_progress',
      (e) => e.state === 'completed',
      60_000,
    );
    expect(done).toEqual(
      expect.objectContaining({
        type: 'job_progress',
        job_id: res.body.jobId,
        queue: 'import',
        state: 'completed',
        progress: 100,
      }),
    );
    expect(done.result).toEqual({ rows: 2000, stored: 2000, skipped: 0 });
    expect(progress.length).toBeGreaterThanOrEqual(4);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    const status = (await job(a, res.body.jobId).expect(200)).body;
    expect(status).toEqual(
      expect.objectContaining({
        id: res.body.jobId,
        queue: 'import',
        state: 'completed',
        progress: 100,
        result: { rows: 2000, stored: 2000, skipped: 0 },
      }),
    );
    expect(await count(a)).toBe(2000);
    // The rows waited in the database, not in the queue, and went once the job completed.
    const runner = t.app.get(JobRunner);
    const queued =
      runner instanceof BullmqJobRunner
        ? (await runner.bullQueues.find((q) => q.name === 'import')!.getJob(res.body.jobId))?.data
        : (await t.app.get(DataSource).query(`SELECT data FROM jobs WHERE id = $1`, [res.body.jobId]))[0].data;
    expect(queued).toEqual(expect.objectContaining({ payloadStored: true, payload: null }));
    expect(
      await t.app.get(DataSource).query(`SELECT job_id FROM job_payloads WHERE job_id = $1`, [res.body.jobId]),
    ).toEqual([]);
    // The same file again: every text is already live in its scope, nothing is stored twice.
    const again = await importBody(a, importLines(2000)).expect(202);
    expect(await finished(a, again.body.jobId)).toEqual(
      expect.objectContaining({ result: { rows: 2000, stored: 0, skipped: 2000 } }),
    );
    expect(await count(a)).toBe(2000);
    // Imported memories are searchable like any other.
    const hits = await t
      .http()
      .post('/api/v1/memories/search')
      .set(bearer(a.accessToken))
      .send({ query: 'fact number 1234', userId: 'user-4' })
      .expect(200);
    expect(hits.body.results[0].memory).toBe('fact number 1234 about topic 70');
  });

  it('refuses a bad import whole, naming the line and field, and stores nothing', async () => {
    const before = await count(b);
    const lines = [
      '{"content":"fine","userId":"u"}',
      '{"content": 42, "userId":"u"}',
      'not json',
      '{"content":"no scope"}',
    ].join('\n');
    const res = await importBody(b, lines).expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.message).toMatch(/^line 2: content/);
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, problem: 'is not valid JSON' }),
        expect.objectContaining({ line: 4, field: 'userId' }),
      ]),
    );
    expect((await importBody(b, '\n\n').expect(400)).body.message).toMatch(/no lines/);
    expect(
      (await t.http().post('/api/v1/memories/import').set(bearer(b.accessToken)).send({ content: 'x' }).expect(400))
        .body.message,
    ).toMatch(/JSON Lines/);
    expect(await count(b)).toBe(before);
  });

  it('exports memories as JSON Lines that import again into another organization', async () => {
    const res = await t
      .http()
      .post('/api/v1/memories/export')
      .set(bearer(a.accessToken))
      .send({ userId: 'user-3' })
      .expect(202);
    const status = await finished(a, res.body.jobId);
    expect(status.result).toEqual({ memories: 200, download: `/api/v1/jobs/${res.body.jobId}/result` });
    const file = await t
      .http()
      .get(`/api/v1/jobs/${res.body.jobId}/result`)
      .set(bearer(a.accessToken))
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (d: Buffer) => (text += d.toString()));
        r.on('end', () => cb(null, text));
      })
      .expect(200);
    expect(file.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = String(file.body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(200);
    expect(lines[0]).toEqual(
      expect.objectContaining({
        content: expect.stringMatching(/^fact number/),
        userId: 'user-3',
        type: 'episodic',
        metadata: expect.any(Object),
      }),
    );
    // Organization B can neither see the job nor download its file.
    await job(b, res.body.jobId).expect(404);
    await t.http().get(`/api/v1/jobs/${res.body.jobId}/result`).set(bearer(b.accessToken)).expect(404);
    const imported = await importBody(b, String(file.body)).expect(202);
    expect((await finished(b, imported.body.jobId)).result).toEqual({ rows: 200, stored: 200, skipped: 0 });
    expect(await count(b, 'user-3')).toBe(200);
  });

  it('adds a memory asynchronously: 202 with a job id, then the memory exists', async () => {
    const res = await t
      .http()
      .post('/api/v1/memories')
      .set(bearer(a.accessToken))
      .send({ content: 'Async facts arrive later', userId: 'zed', infer: false, async: true })
      .expect(202);
    const status = await finished(a, res.body.jobId);
    expect(status).toEqual(
      expect.objectContaining({ queue: 'memory-ingest', state: 'completed', attempts: expect.any(Number) }),
    );
    const results = (status.result as { results: { event: string; memory: string }[] }).results;
    expect(results).toEqual([expect.objectContaining({ event: 'ADD', memory: 'Async facts arrive later' })]);
    expect(await count(a, 'zed')).toBe(1);
    // Checked before queueing: no scope is a 400, not a failed job.
    const bad = await t
      .http()
      .post('/api/v1/memories')
      .set(bearer(a.accessToken))
      .send({ content: 'no scope', async: true })
      .expect(400);
    expect(bad.body.message).toMatch(/userId, agentId or runId/);
  });

  it('re-embeds an organization as a job (admins only)', async () => {
    const res = await t.http().post('/api/v1/memories/reembed').set(bearer(b.accessToken)).expect(202);
    expect((await finished(b, res.body.jobId)).result).toEqual({ memories: await count(b) });
    // Viewers may read jobs but not start one.
    const key = (
      await t
        .http()
        .post('/api/v1/api-keys')
        .set(bearer(b.accessToken))
        .send({ name: 'reader', scopes: ['read'] })
        .expect(201)
    ).body.key;
    await t.http().post('/api/v1/memories/reembed').set(bearer(key)).expect(403);
    await t
      .http()
      .post('/api/v1/memories/import')
      .set(bearer(key))
      .set('Content-Type', 'application/x-ndjson')
      .send('{"content":"x","userId":"u"}')
      .expect(403);
    await t.http().get(`/api/v1/jobs/${res.body.jobId}`).set(bearer(key)).expect(200);
  });

  it('opens the job dashboard to owners of the first organization and ADMIN_TOKEN only (BullMQ backends)', async () => {
    if (t.app.get(JobRunner).kind === 'inline') {
      const res = await t.http().get('/admin/queues').expect(404);
      expect(res.body.message).toMatch(/needs BullMQ/);
      return;
    }
    const none = await t.http().get('/admin/queues/api/queues').expect(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);
    await t.http().get('/admin/queues/api/queues').set(bearer(b.accessToken)).expect(403);
    await t.http().get('/admin/queues/api/queues').set(bearer('am_not-a-real-key')).expect(401);
    await t.http().get('/admin/queues/api/queues').auth('admin', 'wrong-token-wrong-token').expect(401);
    const owner = await t.http().get('/admin/queues/api/queues').set(bearer(a.accessToken)).expect(200);
    // Every queue the server processes, the webhook deliveries' included.
    expect(owner.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(QUEUE_NAMES).toContain('webhook-delivery');
    await t.http().get('/admin/queues/api/queues').auth('admin', ADMIN_TOKEN).expect(200);
    const page = await t.http().get('/admin/queues').auth('admin', ADMIN_TOKEN).expect(200);
    expect(page.text).toMatch(/<html/i);
  });

  it('maintenance deletes expired working memories (telling clients) and purges memories deleted past the retention', async () => {
    const socket = await connected(socketClient(t.url, a.accessToken));
    sockets.push(socket);
    const expiresAt = new Date(Date.now() + 1000);
    const working = (
      await t
        .http()
        .post('/api/v1/memories')
        .set(bearer(a.accessToken))
        .send({ content: 'Short-lived working note', userId: 'w', type: 'working', expiresAt, infer: false })
        .expect(201)
    ).body.results[0].id;
    const old = (
      await t
        .http()
        .post('/api/v1/memories')
        .set(bearer(a.accessToken))
        .send({ content: 'Deleted long ago', userId: 'w', infer: false })
        .expect(201)
    ).body.results[0].id;
    await t.http().delete(`/api/v1/memories/${old}`).set(bearer(a.accessToken)).expect(204);
    await t.app
      .get(DataSource)
      .query(`UPDATE memories SET deleted_at = now() - interval '10 days' WHERE id = $1`, [old]);
    await eventually(() => Date.now() > expiresAt.getTime() + 50, 5000, 'the working memory expired'); // time itself, not an event
    const deleted = nextEvent(socket, 'memory_update', (e) => e.memory_id === working && e.operation === 'deleted');
    const runner = t.app.get(JobRunner);
    const id = uuidv7();
    await runner.enqueue('maintenance', { organizationId: null, principal: null, payload: {} }, id);
    await eventually(async () => (await runner.find(id))?.state === 'completed', 30_000, 'maintenance completed');
    expect((await runner.find(id))!.result).toEqual(expect.objectContaining({ expired: 1, purged: 1 }));
    await deleted;
    const history = (await t.http().get(`/api/v1/memories/${working}/history`).set(bearer(a.accessToken)).expect(200))
      .body.data;
    expect(history.map((h: { event: string; actor: string }) => [h.event, h.actor])).toEqual([
      ['ADD', `user:${a.userId}`],
      ['DELETE', 'system:maintenance'],
    ]);
    await t.http().get(`/api/v1/memories/${old}/history`).set(bearer(a.accessToken)).expect(404);
  });

  it('lists an organization’s recent jobs newest first, page by page, as GET /jobs/:id shows them, and no other organization’s', async () => {
    const c = await register(t, 'Org C');
    const d = await register(t, 'Org D');
    const list = (who: Registered | string, query: Record<string, unknown> = {}) =>
      t
        .http()
        .get('/api/v1/jobs')
        .query(query)
        .set(bearer(typeof who === 'string' ? who : who.accessToken));
    expect((await list(c).expect(200)).body).toEqual({ data: [], nextCursor: null });

    const started: string[] = [];
    for (const body of [{}, { userId: 'nobody' }]) {
      started.push(
        (await t.http().post('/api/v1/memories/export').set(bearer(c.accessToken)).send(body).expect(202)).body.jobId,
      );
    }
    started.push(
      (
        await t
          .http()
          .post('/api/v1/memories')
          .set(bearer(c.accessToken))
          .send({ content: 'Listed later', userId: 'lister', infer: false, async: true })
          .expect(202)
      ).body.jobId,
    );
    const foreign = (await t.http().post('/api/v1/memories/export').set(bearer(d.accessToken)).send({}).expect(202))
      .body.jobId as string;
    for (const id of started) await finished(c, id);
    await finished(d, foreign);

    const first = (await list(c, { limit: 2 }).expect(200)).body;
    expect(first.data.map((j: { id: string }) => j.id)).toEqual([started[2], started[1]]);
    expect(first.nextCursor).toBe(started[1]);
    const second = (await list(c, { limit: 2, cursor: first.nextCursor }).expect(200)).body;
    expect(second).toEqual({ data: [expect.objectContaining({ id: started[0] })], nextCursor: null });
    // Each as GET /jobs/:id answers it.
    for (const listed of [...first.data, ...second.data]) {
      expect(listed).toEqual((await job(c, listed.id).expect(200)).body);
    }
    expect(first.data.map((j: { queue: string }) => j.queue)).toEqual(['memory-ingest', 'export']);

    // The other organization sees its own job only; readers may list.
    expect((await list(d).expect(200)).body.data.map((j: { id: string }) => j.id)).toEqual([foreign]);
    const reader = (
      await t
        .http()
        .post('/api/v1/api-keys')
        .set(bearer(c.accessToken))
        .send({ name: 'job reader', scopes: ['read'] })
        .expect(201)
    ).body.key as string;
    expect((await list(reader).expect(200)).body.data).toHaveLength(3);
    expectErrorShape((await list(c, { cursor: 'nope' }).expect(400)).body, 400);
    expectErrorShape((await list(c, { limit: 101 }).expect(400)).body, 400);

    // A job its runner no longer keeps (as after its retention) is skipped, and the page is
    // filled from older ones instead of coming back short.
    const runner = t.app.get(JobRunner);
    if (runner instanceof BullmqJobRunner) {
      const queue = runner.bullQueues.find((q) => q.name === 'export')!;
      await (await queue.getJob(started[1]))!.remove();
    } else {
      await t.app.get(DataSource).query(`DELETE FROM jobs WHERE id = $1`, [started[1]]);
    }
    const filled = (await list(c, { limit: 2 }).expect(200)).body;
    expect(filled.data.map((j: { id: string }) => j.id)).toEqual([started[2], started[0]]);
    expect(filled.nextCursor).toBeNull();
  });

  it('answers 404 for an unknown job and 400 for a malformed id', async () => {
    await job(a, '0190a8b2-0000-7000-8000-000000000000').expect(404);
    const res = await job(a, 'nope').expect(400);
    expectErrorShape(res.body, 400);
  });
});
