import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/app-config.js';
import { migrate, withMigratedDatabase } from '../src/database/migrate.js';
import { reembed } from '../src/memory/reembed.js';
import { MIGRATIONS } from '../migrations/migrations.js';
import { bearer, freshStorage, onPostgres, register, startTestApp, TEST_JWT_SECRET } from './support/test-app.js';
import type { Storage, TestApp } from './support/test-app.js';

const configFor = (storage: Storage, env: Record<string, string> = {}) =>
  loadConfig(
    onPostgres
      ? { DATABASE_URL: storage.location, JWT_SECRET: TEST_JWT_SECRET, ...env }
      : { DATA_DIR: storage.location, ...env },
  );

/** Without pgvector: memories are stored and found by full text; vector mode says it is unavailable. */
async function expectFullTextOnly(t: TestApp): Promise<void> {
  const owner = await register(t);
  const auth = bearer(owner.accessToken);
  await t
    .http()
    .post('/api/v1/memories')
    .set(auth)
    .send({ content: 'Quentin collects vintage maps', userId: 'q', infer: false })
    .expect(201);
  const hits = await t
    .http()
    .post('/api/v1/search')
    .set(auth)
    .send({ query: 'vintage maps', userId: 'q', mode: 'hybrid' })
    .expect(200);
  expect(hits.body.results.map((r: { memory: string; retrievers: string[] }) => [r.memory, r.retrievers])).toEqual([
    ['Quentin collects vintage maps', ['text']],
  ]);
  const vector = await t
    .http()
    .post('/api/v1/search')
    .set(auth)
    .send({ query: 'vintage maps', mode: 'vector' })
    .expect(503);
  expect(vector.body.code).toBe('VECTOR_UNAVAILABLE');
}

describe('server lifecycle', () => {
  it('keeps users, organizations and token validity across a restart', async () => {
    const first = await startTestApp();
    const owner = await register(first, 'Durable');
    const key = await first
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'k' })
      .expect(201);
    await first.stop();

    const second = await startTestApp({}, first.storage);
    try {
      const login = await second
        .http()
        .post('/api/v1/auth/login')
        .send({ email: owner.email, password: owner.password })
        .expect(200);
      expect(login.body.organization).toMatchObject({ id: owner.organizationId, name: 'Durable' });
      // The access token of before the restart still verifies (the secret was kept), and so does the key.
      await second.http().get('/api/v1/auth/me').set(bearer(owner.accessToken)).expect(200);
      await second.http().get('/api/v1/auth/me').set(bearer(key.body.key)).expect(200);
      await second.http().post('/api/v1/auth/refresh').send({ refreshToken: owner.refreshToken }).expect(200);
    } finally {
      await second.close();
    }
  });

  it('runs migrations once: a second run applies nothing and the schema is intact', async () => {
    const storage = await freshStorage();
    try {
      const firstRun = await migrate(configFor(storage));
      expect(firstRun.applied).toEqual(MIGRATIONS.map((m) => m.name));
      const secondRun = await migrate(configFor(storage));
      expect(secondRun.applied).toEqual([]);
      // And the server starts on the migrated storage and works.
      const t = await startTestApp({}, storage);
      await register(t);
      await t.stop();
    } finally {
      await storage.drop();
    }
  });

  it('serves liveness, readiness with the storage mode and pgvector status, and the OpenAPI document', async () => {
    const t = await startTestApp();
    try {
      await t.http().get('/health/live').expect(200, { status: 'ok' });
      const ready = await t.http().get('/health/ready').expect(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.info.database.status).toBe('up');
      expect(ready.body.info.storage).toMatchObject({
        mode: onPostgres ? 'postgres' : 'embedded',
        vector: 'available',
      });
      expect(ready.body.info.jobs).toEqual({
        status: 'up',
        backend: onPostgres ? 'postgres' : 'inline',
        events: onPostgres ? 'postgres' : 'in-process',
      });

      const html = await t.http().get('/docs').redirects(1).expect(200);
      expect(html.text).toContain('swagger');
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['api-key', 'bearer']);
      for (const path of [
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/me',
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/api-keys',
        '/api/v1/api-keys/{id}',
        '/health/ready',
      ]) {
        expect(doc.paths).toHaveProperty([path]);
      }
      // Every authenticated operation documents both schemes; public ones an empty list.
      expect(doc.paths['/api/v1/users'].get.security).toEqual(
        expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]),
      );
      expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('starts with pgvector switched off, says so in readiness, and remembers and searches on full text', async () => {
    const t = await startTestApp({ VECTOR_EXTENSION: 'off' });
    try {
      const ready = await t.http().get('/health/ready').expect(200);
      expect(ready.body.info.storage).toMatchObject({
        vector: 'unavailable',
        vectorIndex: 'none',
        vectorReason: expect.stringContaining('VECTOR_EXTENSION=off'),
      });
      await expectFullTextOnly(t);
    } finally {
      await t.close();
    }
  });

  (onPostgres ? it.skip : it)('refuses a second server on the same data directory', async () => {
    const t = await startTestApp();
    try {
      await expect(startTestApp({}, t.storage)).rejects.toThrow(/in use by another AgentMem process/);
      await t.http().get('/health/ready').expect(200);
    } finally {
      await t.close();
    }
  });

  (onPostgres ? it : it.skip)(
    'runs on a PostgreSQL where the app may not create pgvector: full text only, and require mode refuses',
    async () => {
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      const role = 'agentmem_test_limited';
      const db = `agentmem_test_limited_${randomBytes(4).toString('hex')}`;
      await admin.query(
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN NOSUPERUSER; END IF; END $$`,
      );
      await admin.query(`CREATE DATABASE ${db} OWNER ${role}`);
      const url = new URL(process.env.DATABASE_URL!);
      url.username = role;
      url.pathname = `/${db}`;
      const storage: Storage = {
        location: url.toString(),
        drop: async () => {
          await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        },
      };
      try {
        const t = await startTestApp({}, storage);
        const ready = await t.http().get('/health/ready').expect(200);
        expect(ready.body.info.storage).toMatchObject({
          vector: 'unavailable',
          vectorReason: expect.stringContaining('permission denied'),
        });
        await expectFullTextOnly(t);
        await t.stop();
        await expect(startTestApp({ VECTOR_EXTENSION: 'require' }, storage)).rejects.toThrow(/pgvector/);
      } finally {
        await storage.drop();
        await admin.end();
      }
    },
  );
});

describe('readiness with Redis', () => {
  it('reports Redis down (503) when REDIS_URL points at nothing, while liveness stays up and only jobs are refused', async () => {
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const ready = await t.http().get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ statusCode: 503, code: 'NOT_READY', message: 'Not ready: redis down' });
      expect(ready.body.details.redis.status).toBe('down');
      expect(ready.body.details.database.status).toBe('up');
      await t.http().get('/health/live').expect(200);
      // Everything but jobs works; a job cannot be queued and says so (503), nothing hangs.
      const owner = await register(t);
      await t
        .http()
        .post('/api/v1/memories')
        .set(bearer(owner.accessToken))
        .send({ content: 'works without Redis', userId: 'u', infer: false })
        .expect(201);
      const queued = await t
        .http()
        .post('/api/v1/memories')
        .set(bearer(owner.accessToken))
        .send({ content: 'needs the queue', userId: 'u', infer: false, async: true })
        .expect(503);
      expect(queued.body.message).toMatch(/job queue/);
    } finally {
      await t.close();
    }
  });

  (process.env.REDIS_URL ? it : it.skip)('reports Redis up when REDIS_URL points at a live server', async () => {
    const t = await startTestApp({ REDIS_URL: process.env.REDIS_URL! });
    try {
      const ready = await t.http().get('/health/ready').expect(200);
      expect(ready.body.info.redis.status).toBe('up');
    } finally {
      await t.close();
    }
  });
});

describe('the quantized prefilter of exact vector search', () => {
  it('is added at start to an installation whose vectors predate it, and answers vector searches through it', async () => {
    const env = { VECTOR_SEARCH: 'on', VECTOR_INDEX: 'none' };
    const first = await startTestApp(env);
    const owner = await register(first);
    const texts = ['Nadia repairs vintage bicycles', 'Nadia bakes sourdough on Sundays', 'Nadia collects old maps'];
    for (const content of texts)
      await first
        .http()
        .post('/api/v1/memories')
        .set(bearer(owner.accessToken))
        .send({ content, userId: 'nadia', infer: false })
        .expect(201);
    await first.stop();
    const bitsIndexes = (storage: Storage) =>
      withMigratedDatabase(configFor(storage, env), async (ds) => {
        const rows: { n: number }[] = await ds.query(
          `SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'memories' AND indexname LIKE 'memories_bits_%'`,
        );
        return rows[0].n;
      });
    try {
      expect(await bitsIndexes(first.storage)).toBe(3);
      // As an installation from before the prefilter: the embeddings without their bits.
      await withMigratedDatabase(configFor(first.storage, env), (ds) =>
        ds.query(`ALTER TABLE memories DROP COLUMN embedding_bits CASCADE`),
      );
      expect(await bitsIndexes(first.storage)).toBe(0);
      const second = await startTestApp(env, first.storage);
      const login = await second
        .http()
        .post('/api/v1/auth/login')
        .send({ email: owner.email, password: owner.password })
        .expect(200);
      const hits = await second
        .http()
        .post('/api/v1/search')
        .set(bearer(login.body.accessToken))
        .send({ query: 'repairs vintage bicycles', userId: 'nadia', mode: 'vector', limit: 3 })
        .expect(200);
      expect(hits.body.results[0].memory).toBe('Nadia repairs vintage bicycles');
      await second.stop();
      expect(await bitsIndexes(first.storage)).toBe(3);
    } finally {
      await first.storage.drop();
    }
  });
});

describe('embedding model changes', () => {
  it('refuses to start with another embedding size until `reembed` has recomputed every vector', async () => {
    const vectors = { VECTOR_SEARCH: 'on' };
    const first = await startTestApp(vectors);
    const owner = await register(first);
    await first
      .http()
      .post('/api/v1/memories')
      .set(bearer(owner.accessToken))
      .send({ content: 'Rosa restores old clocks', userId: 'rosa', infer: false })
      .expect(201);
    await first.stop();
    try {
      await expect(startTestApp({ ...vectors, EMBEDDING_DIMENSIONS: '256' }, first.storage)).rejects.toThrow(
        /npm run reembed/,
      );
      const result = await reembed(configFor(first.storage, { ...vectors, EMBEDDING_DIMENSIONS: '256' }));
      expect(result).toMatchObject({ dimensions: 256, memories: 1 });
      const second = await startTestApp({ ...vectors, EMBEDDING_DIMENSIONS: '256' }, first.storage);
      const login = await second
        .http()
        .post('/api/v1/auth/login')
        .send({ email: owner.email, password: owner.password })
        .expect(200);
      const hits = await second
        .http()
        .post('/api/v1/search')
        .set(bearer(login.body.accessToken))
        .send({ query: 'restores old clocks', userId: 'rosa', mode: 'vector' })
        .expect(200);
      expect(hits.body.results.map((r: { memory: string }) => r.memory)).toEqual(['Rosa restores old clocks']);
      const ready = await second.http().get('/health/ready').expect(200);
      expect(ready.body.info.embedder).toMatchObject({ dimensions: 256 });
      await second.stop();
    } finally {
      await first.storage.drop();
    }
  });
});
