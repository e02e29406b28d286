import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { compileServer, exitOf } from './support/compiled-server.js';
import type { CompiledServer } from './support/compiled-server.js';
import { importLines } from './support/import-lines.js';
import { connected, nextEvent, socketClient, SseClient } from './support/realtime-clients.js';
import { bearer, freshStorage, onPostgres, register, startTestApp, TEST_JWT_SECRET } from './support/test-app.js';
import type { Storage, TestApp } from './support/test-app.js';

const redisUrl = process.env.REDIS_URL;

/**
 * The production shape: several API processes and workers sharing PostgreSQL and Redis. Needs
 * both (it runs in the e2e-postgres project when REDIS_URL is set, as `.ci/run` arranges).
 */
(onPostgres && redisUrl ? describe : describe.skip)('several processes over PostgreSQL and Redis', () => {
  let storage: Storage;
  const prefix = `cluster-${randomBytes(4).toString('hex')}`;
  const apps: TestApp[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    storage = await freshStorage();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const app of apps) await app.stop();
    await storage?.drop();
  });

  const start = async (env: Record<string, string> = {}) => {
    const app = await startTestApp({ REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix, ...env }, storage);
    apps.push(app);
    return app;
  };

  it('delivers an event caused on instance A to Socket.IO and SSE clients of instance B', async () => {
    const a = await start();
    const b = await start();
    const owner = await register(a, 'Cluster');
    const socket = await connected(socketClient(b.url, owner.accessToken));
    sockets.push(socket);
    const onSocket: { memory_id: string }[] = [];
    socket.on('memory_update', (e: { memory_id: string }) => onSocket.push(e));
    const sse = new SseClient(`${b.url}/api/v1/sse`, owner.accessToken, ['memory_update']);
    try {
      await sse.opened();
      const [event, res] = await Promise.all([
        nextEvent(socket, 'memory_update'),
        a
          .http()
          .post('/api/v1/memories')
          .set(bearer(owner.accessToken))
          .send({ content: 'Told on A, heard on B', userId: 'u', infer: false })
          .expect(201),
      ]);
      expect(event.memory_id).toBe(res.body.results[0].id);
      expect((await sse.next((m) => m.data.memory_id === res.body.results[0].id)).data.operation).toBe('created');
      // Exactly once per client, though both processes receive every event.
      await Promise.all([
        nextEvent(socket, 'memory_update', (e) => e.user_id === 'marker'),
        a
          .http()
          .post('/api/v1/memories')
          .set(bearer(owner.accessToken))
          .send({ content: 'marker', userId: 'marker', infer: false })
          .expect(201),
      ]);
      expect(sse.messages.filter((m) => m.data.memory_id === res.body.results[0].id)).toHaveLength(1);
      expect(onSocket.filter((e) => e.memory_id === res.body.results[0].id)).toHaveLength(1);
    } finally {
      sse.close();
    }
  });

  it('refuses a key revoked on instance A at once on instance B, which had it cached', async () => {
    const a = await start();
    const b = await start();
    const owner = await register(a, 'Revoker');
    const created = await a
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'ci', scopes: ['read', 'write'] })
      .expect(201);
    const key = { 'X-API-Key': created.body.key as string };
    // B checks the key once and then trusts its cache (CREDENTIAL_CACHE_SECONDS).
    await b.http().get('/api/v1/memories').set(key).expect(200);
    await b.http().get('/api/v1/memories').set(key).expect(200);
    await a.http().delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(owner.accessToken)).expect(204);
    // The revocation travels as an event: B drops the key within moments, well before the cache would expire.
    const deadline = Date.now() + 2000;
    let status = 200;
    while (status !== 401 && Date.now() < deadline) {
      status = (await b.http().get('/api/v1/memories').set(key)).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    // A demotion on A takes effect on B the same way, for a token B had cached.
    const email = `demoted-${Date.now()}@example.test`;
    const user = (
      await a
        .http()
        .post('/api/v1/users')
        .set(bearer(owner.accessToken))
        .send({ email, password: 'password-123', name: 'D', role: 'member' })
        .expect(201)
    ).body;
    const token = (await a.http().post('/api/v1/auth/login').send({ email, password: 'password-123' }).expect(200)).body
      .accessToken as string;
    const write = () =>
      b
        .http()
        .post('/api/v1/memories')
        .set(bearer(token))
        .send({ content: `written ${Date.now()} ${Math.random()}`, userId: 'd', infer: false });
    await write().expect(201);
    await a
      .http()
      .patch(`/api/v1/users/${user.id}`)
      .set(bearer(owner.accessToken))
      .send({ role: 'viewer' })
      .expect(200);
    const until = Date.now() + 2000;
    let answer = 201;
    while (answer !== 403 && Date.now() < until) {
      answer = (await write()).status;
      if (answer !== 403) await new Promise((r) => setTimeout(r, 20));
    }
    expect(answer).toBe(403);
  });

  it('counts login attempts of every replica against one limit', async () => {
    const shared = { AUTH_RATE_LIMIT_PER_MINUTE: '3', QUEUE_PREFIX: `limit-${randomBytes(4).toString('hex')}` };
    const a = await start(shared);
    const b = await start(shared);
    const attempt = (app: TestApp) =>
      app.http().post('/api/v1/auth/login').send({ email: 'nobody@example.test', password: 'wrong-password' });
    expect((await attempt(a)).status).toBe(401);
    expect((await attempt(b)).status).toBe(401);
    expect((await attempt(a)).status).toBe(401);
    const limited = await attempt(b);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  describe('a worker process killed mid-import', () => {
    let server: CompiledServer;
    beforeAll(async () => {
      server = await compileServer();
    }, 120_000);
    afterAll(async () => {
      await server?.remove();
    });

    it('completes the import after a restart, every row stored exactly once, progress seen by a socket client', async () => {
      const api = await start({ JOBS_IN_PROCESS: 'false' });
      const owner = await register(api, 'Importer');
      const socket = await connected(socketClient(api.url, owner.accessToken));
      sockets.push(socket);
      const workerEnv = {
        DATABASE_URL: storage.location,
        JWT_SECRET: TEST_JWT_SECRET,
        REDIS_URL: redisUrl!,
        QUEUE_PREFIX: prefix,
        JOBS_LOCK_MS: '2000',
        LOG_LEVEL: 'warn',
        DATABASE_POOL_SIZE: '3',
      };
      const first = server.spawn('worker', workerEnv);
      const accepted = await api
        .http()
        .post('/api/v1/memories/import')
        .set(bearer(owner.accessToken))
        .set('Content-Type', 'application/x-ndjson')
        .send(importLines(20_000))
        .expect(202);
      const jobId: string = accepted.body.jobId;

      // The worker's progress crosses Redis to the API's socket client; kill it once under way.
      await nextEvent<{ job_id: string; progress: number }>(
        socket,
        'job_progress',
        (e) => e.job_id === jobId && e.progress >= 10 && e.progress < 100,
        60_000,
      );
      const killed = exitOf(first.child);
      first.child.kill('SIGKILL');
      expect((await killed).signal).toBe('SIGKILL');
      const partial = (await api.http().get(`/api/v1/jobs/${jobId}`).set(bearer(owner.accessToken)).expect(200)).body;
      expect(partial.state).not.toBe('completed');

      const second = server.spawn('worker', workerEnv);
      try {
        const done = await nextEvent<{ job_id: string; state: string; result: { rows: number } }>(
          socket,
          'job_progress',
          (e) => e.job_id === jobId && (e.state === 'completed' || e.state === 'failed'),
          120_000,
        );
        expect(done.state).toBe('completed');
        expect(done.result.rows).toBe(20_000);
      } catch (error) {
        throw new Error(`${String(error)}; worker said: ${first.stderr()} ${second.stderr()}`, { cause: error });
      }
      const db = new pg.Client({ connectionString: storage.location });
      await db.connect();
      try {
        const memories = await db.query(
          `SELECT count(*)::int AS n, count(DISTINCT content)::int AS texts FROM memories WHERE organization_id = $1`,
          [owner.organizationId],
        );
        expect(memories.rows[0]).toEqual({ n: 20_000, texts: 20_000 });
        const history = await db.query(
          `SELECT count(*)::int AS n FROM memory_history WHERE organization_id = $1 AND event = 'ADD'`,
          [owner.organizationId],
        );
        expect(history.rows[0].n).toBe(20_000);
      } finally {
        await db.end();
      }
      const stopped = exitOf(second.child);
      second.child.kill('SIGTERM');
      expect(await stopped).toEqual({ code: 0, signal: null });
    }, 240_000);
  });
});
