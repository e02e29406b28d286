import { randomBytes } from 'node:crypto';
import { FakeLlm } from './support/fake-llm.js';
import type { ChatReply } from './support/fake-llm.js';
import {
  bearer,
  expectErrorShape,
  freshStorage,
  onPostgres,
  register,
  startTestApp,
  uniqueEmail,
} from './support/test-app.js';
import type { Registered, Storage, TestApp } from './support/test-app.js';

const redisUrl = process.env.REDIS_URL;

const makeKey = async (t: TestApp, who: Registered, name: string): Promise<{ 'X-API-Key': string }> => {
  const res = await t
    .http()
    .post('/api/v1/api-keys')
    .set(bearer(who.accessToken))
    .send({ name, scopes: ['read', 'write'] })
    .expect(201);
  return { 'X-API-Key': res.body.key as string };
};

describe('limits per key (RATE_LIMIT_PER_MINUTE)', () => {
  let t: TestApp;
  let owner: Registered;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    owner = await register(t, 'Keys');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a key past its limit with 429, Retry-After and RateLimit-*, while another key of the organization passes', async () => {
    const noisy = await makeKey(t, owner, 'noisy');
    const quiet = await makeKey(t, owner, 'quiet');
    for (const remaining of ['2', '1', '0']) {
      const ok = await t.http().get('/api/v1/memories').set(noisy).expect(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(remaining);
      expect(ok.headers['ratelimit-policy']).toBe('3;w=60');
      expect(Number(ok.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(ok.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
    }
    const refused = await t.http().get('/api/v1/memories').set(noisy).expect(429);
    expectErrorShape(refused.body, 429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(refused.body.message).toContain('requests per minute of this API key (3)');
    expect(refused.body.details).toEqual(
      expect.objectContaining({ limit: 'requestsPerMinute', of: 'apiKey', value: 3 }),
    );
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(refused.headers['ratelimit-reset']).toBe(String(retryAfter));
    // Writes, the compat routes and MCP are limited the same way.
    await t
      .http()
      .post('/api/v1/memories')
      .set(noisy)
      .send({ content: 'over the limit', userId: 'u', infer: false })
      .expect(429);
    expect((await t.http().get('/v1/ping/').set(noisy)).status).toBe(429);
    expect(
      (
        await t
          .http()
          .post('/mcp')
          .set(noisy)
          .set('Accept', 'application/json, text/event-stream')
          .send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} })
      ).status,
    ).toBe(429);
    // The other key of the same organization has its own count.
    const other = await t.http().get('/api/v1/memories').set(quiet).expect(200);
    expect(other.headers['ratelimit-remaining']).toBe('2');
    // Nothing was written by the refused request.
    expect((await t.http().get('/api/v1/memories').set(quiet).expect(200)).body.data).toEqual([]);
  });

  it('counts a user with a token per user, and leaves public routes alone', async () => {
    const user = await register(t, 'Tokens');
    for (let i = 0; i < 3; i++) await t.http().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(200);
    const refused = await t.http().get('/api/v1/auth/me').set(bearer(user.accessToken)).expect(429);
    expect(refused.body.message).toContain('requests per minute of your user (3)');
    expect(refused.body.details.of).toBe('user');
    const health = await t.http().get('/health/live').expect(200);
    expect(health.headers['ratelimit-limit']).toBeUndefined();
    // Logging in is not a request of the user (it has its own limit per address).
    await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password }).expect(200);
  });
});

describe('limits per organization, set by the installation owner', () => {
  const llm = new FakeLlm();
  let replies: ChatReply[] = [];
  let t: TestApp;
  /** An owner of the first organization: the installation owner. */
  let root: Registered;
  let tenant: Registered;
  let other: Registered;

  const limitsOf = (orgId: string) => `/api/v1/organizations/${orgId}/limits`;
  const setLimits = (orgId: string, body: Record<string, unknown>) =>
    t.http().patch(limitsOf(orgId)).set(bearer(root.accessToken)).send(body);

  beforeAll(async () => {
    await llm.start();
    llm.script = () => replies.shift() ?? 'OK.';
    t = await startTestApp({
      ...llm.env,
      AGENT_CONTEXT_MEMORIES: '0',
    });
    root = await register(t, 'Installation');
    tenant = await register(t, 'Tenant');
    other = await register(t, 'Other');
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
  });

  it('lets the installation owner read and set any organization’s limits; null gives one back to the default', async () => {
    const initial = (await t.http().get(limitsOf(other.organizationId)).set(bearer(root.accessToken)).expect(200)).body;
    expect(initial).toEqual({
      organizationId: other.organizationId,
      memoriesStored: null,
      requestsPerMinute: null,
      toolRunsPerMinute: null,
      effective: {
        memoriesStored: null,
        requestsPerMinute: null,
        toolRunsPerMinute: null,
        requestsPerMinutePerKey: null,
      },
      updatedAt: null,
    });
    const set = (await setLimits(other.organizationId, { memoriesStored: 1000, toolRunsPerMinute: 30 }).expect(200))
      .body;
    expect(set).toEqual(
      expect.objectContaining({ memoriesStored: 1000, requestsPerMinute: null, toolRunsPerMinute: 30 }),
    );
    expect(set.effective).toEqual(expect.objectContaining({ memoriesStored: 1000, toolRunsPerMinute: 30 }));
    // Fields left out stay; null returns to the default.
    await setLimits(other.organizationId, { toolRunsPerMinute: null }).expect(200);
    const read = (await t.http().get(limitsOf(other.organizationId)).set(bearer(other.accessToken)).expect(200)).body;
    expect(read).toEqual(expect.objectContaining({ memoriesStored: 1000, toolRunsPerMinute: null }));
    expect(typeof read.updatedAt).toBe('string');
    // Invalid values are a 400 naming the field; an unknown organization a 404.
    const bad = await setLimits(other.organizationId, { requestsPerMinute: 0 }).expect(400);
    expectErrorShape(bad.body, 400);
    expect(bad.body.message).toMatch(/requestsPerMinute/);
    expect((await setLimits(other.organizationId, { memoriesStored: 'many' }).expect(400)).body.message).toMatch(
      /memoriesStored/,
    );
    await setLimits('0190a4f0-0000-7000-8000-000000000000', { memoriesStored: 1 }).expect(404);
  });

  it('refuses an organization’s admin raising its own limits (403) and anyone else’s (404); members may not read them', async () => {
    await setLimits(tenant.organizationId, { memoriesStored: 5 }).expect(200);
    const own = await t
      .http()
      .patch(limitsOf(tenant.organizationId))
      .set(bearer(tenant.accessToken))
      .send({ memoriesStored: 1_000_000 })
      .expect(403);
    expectErrorShape(own.body, 403);
    expect(own.body.code).toBe('NOT_INSTALLATION_OWNER');
    // The owner of another organization cannot reach the installation's, nor a third one's.
    await t.http().patch(limitsOf(root.organizationId)).set(bearer(tenant.accessToken)).send({}).expect(404);
    await t
      .http()
      .patch(limitsOf(other.organizationId))
      .set(bearer(tenant.accessToken))
      .send({ memoriesStored: 1 })
      .expect(404);
    await t.http().get(limitsOf(other.organizationId)).set(bearer(tenant.accessToken)).expect(404);
    // Reading their own is fine; the limit did not move.
    expect(
      (await t.http().get(limitsOf(tenant.organizationId)).set(bearer(tenant.accessToken)).expect(200)).body
        .memoriesStored,
    ).toBe(5);
    // A member of the organization does not read its limits.
    const email = uniqueEmail('member');
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(tenant.accessToken))
      .send({ email, password: 'password-123', name: 'M', role: 'member' })
      .expect(201);
    const member = (await t.http().post('/api/v1/auth/login').send({ email, password: 'password-123' }).expect(200))
      .body.accessToken as string;
    await t.http().get(limitsOf(tenant.organizationId)).set(bearer(member)).expect(403);
    await setLimits(tenant.organizationId, { memoriesStored: null }).expect(200);
  });

  it('counts every key and user of an organization against its requests per minute', async () => {
    const org = await register(t, 'Busy');
    const first = await makeKey(t, org, 'first');
    const second = await makeKey(t, org, 'second');
    await setLimits(org.organizationId, { requestsPerMinute: 4 }).expect(200);
    const seen: string[] = [];
    for (const key of [first, second, first, second]) {
      const ok = await t.http().get('/api/v1/memories').set(key).expect(200);
      expect(ok.headers['ratelimit-policy']).toBe('4;w=60');
      seen.push(ok.headers['ratelimit-remaining']);
    }
    expect(seen).toEqual(['3', '2', '1', '0']);
    for (const who of [first, second, bearer(org.accessToken)]) {
      const refused = await t.http().get('/api/v1/memories').set(who).expect(429);
      expect(refused.body.message).toContain('requests per minute of the organization (4)');
      expect(refused.body.details).toEqual(
        expect.objectContaining({ limit: 'requestsPerMinute', of: 'organization', value: 4 }),
      );
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Other organizations are not affected; lifting the limit lets the organization in at once.
    await t.http().get('/api/v1/memories').set(bearer(other.accessToken)).expect(200);
    await setLimits(org.organizationId, { requestsPerMinute: null }).expect(200);
    const free = await t.http().get('/api/v1/memories').set(first).expect(200);
    expect(free.headers['ratelimit-limit']).toBeUndefined();
  });

  it('refuses the add that would pass the memories-stored limit, on every add path, and stores nothing of it', async () => {
    const org = await register(t, 'Hoarder');
    const as = bearer(org.accessToken);
    const add = (body: Record<string, unknown>) =>
      t
        .http()
        .post('/api/v1/memories')
        .set(as)
        .send({ userId: 'u', infer: false, ...body });
    await add({ content: 'one' }).expect(201);
    await add({ content: 'two' }).expect(201);
    await setLimits(org.organizationId, { memoriesStored: 3 }).expect(200);
    // Two texts where one place is left: refused whole.
    const refused = await add({
      messages: [
        { role: 'user', content: 'three' },
        { role: 'assistant', content: 'four' },
      ],
    }).expect(403);
    expectErrorShape(refused.body, 403);
    expect(refused.body.code).toBe('MEMORIES_LIMIT_REACHED');
    expect(refused.body.message).toContain('memories stored of the organization (3)');
    expect(refused.body.details).toEqual({ limit: 'memoriesStored', of: 'organization', value: 3 });
    const contents = async () =>
      ((await t.http().get('/api/v1/memories').set(as).expect(200)).body.data as { memory: string }[])
        .map((m) => m.memory)
        .sort();
    expect(await contents()).toEqual(['one', 'two']);
    await add({ content: 'three' }).expect(201);
    await add({ content: 'four' }).expect(403);
    // The async, import and Mem0 paths refuse too, before anything is queued.
    await add({ content: 'four', async: true }).expect(403);
    const imported = await t
      .http()
      .post('/api/v1/memories/import')
      .set(as)
      .set('Content-Type', 'application/x-ndjson')
      .send('{"content":"imported","userId":"u"}\n');
    expect(imported.status).toBe(403);
    const key = await makeKey(t, org, 'mem0');
    const mem0 = await t
      .http()
      .post('/v3/memories/add/')
      .set({ Authorization: `Token ${key['X-API-Key']}` })
      .send({ messages: [{ role: 'user', content: 'via mem0' }], user_id: 'u', infer: false });
    expect(mem0.status).toBe(403);
    expect(mem0.body.message).toContain('memories stored of the organization (3)');
    expect(await contents()).toEqual(['one', 'three', 'two']);
    // Deleting one makes room again at once.
    const listed = (await t.http().get('/api/v1/memories').set(as).expect(200)).body.data as { id: string }[];
    await t.http().delete(`/api/v1/memories/${listed[0].id}`).set(as).expect(204);
    await add({ content: 'four' }).expect(201);
    await add({ content: 'five' }).expect(403);
  });

  it('refuses tool runs past the organization’s limit, over REST (429) and in an agent’s turn (an error the model reads)', async () => {
    const org = await register(t, 'Toolsmith');
    const as = bearer(org.accessToken);
    const tool = (
      await t
        .http()
        .post('/api/v1/tools')
        .set(as)
        .send({
          name: 'add',
          description: 'Adds two numbers',
          parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
          sourceCode: 'return args.a + args.b',
        })
        .expect(201)
    ).body;
    await setLimits(org.organizationId, { toolRunsPerMinute: 2 }).expect(200);
    const run = () =>
      t
        .http()
        .post(`/api/v1/tools/${tool.id}/run`)
        .set(as)
        .send({ args: { a: 1, b: 2 } });
    expect((await run().expect(200)).body.result).toBe(3);
    await run().expect(200);
    const refused = await run().expect(429);
    expectErrorShape(refused.body, 429);
    expect(refused.body.code).toBe('TOOL_RUNS_LIMITED');
    expect(refused.body.message).toContain('tool runs per minute of the organization (2)');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const runs = (await t.http().get(`/api/v1/tools/${tool.id}/runs`).set(as).expect(200)).body.data;
    expect(runs).toHaveLength(2);

    const agent = (
      await t
        .http()
        .post('/api/v1/agents')
        .set(as)
        .send({ name: 'calc', toolIds: [tool.id] })
        .expect(201)
    ).body;
    replies = [{ toolCalls: [{ name: 'add', arguments: { a: 2, b: 2 } }] }, 'I could not add them.'];
    const turn = await t
      .http()
      .post(`/api/v1/agents/${agent.id}/messages`)
      .set(as)
      .send({ messages: [{ role: 'user', content: 'What is 2 + 2?' }], userId: 'u' })
      .expect(200);
    const toolMessage = (turn.body.messages as { role: string }[]).find((m) => m.role === 'tool');
    expect(JSON.stringify(toolMessage)).toContain('tool runs per minute of the organization (2)');
    expect((await t.http().get(`/api/v1/tools/${tool.id}/runs`).set(as).expect(200)).body.data).toHaveLength(2);
  });
});

(onPostgres && redisUrl ? describe : describe.skip)('limits across replicas (PostgreSQL and Redis)', () => {
  let storage: Storage;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    storage = await freshStorage();
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await storage?.drop();
  });

  it('counts one key’s requests on two replicas against one limit', async () => {
    const shared = {
      REDIS_URL: redisUrl!,
      QUEUE_PREFIX: `limits-${randomBytes(4).toString('hex')}`,
      RATE_LIMIT_PER_MINUTE: '3',
    };
    const a = await startTestApp(shared, storage);
    apps.push(a);
    const b = await startTestApp(shared, storage);
    apps.push(b);
    const owner = await register(a, 'Replicated');
    const key = await makeKey(a, owner, 'shared');
    expect((await a.http().get('/api/v1/memories').set(key).expect(200)).headers['ratelimit-remaining']).toBe('2');
    expect((await b.http().get('/api/v1/memories').set(key).expect(200)).headers['ratelimit-remaining']).toBe('1');
    expect((await a.http().get('/api/v1/memories').set(key).expect(200)).headers['ratelimit-remaining']).toBe('0');
    const refused = await b.http().get('/api/v1/memories').set(key).expect(429);
    expect(refused.body.message).toContain('requests per minute of this API key (3)');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});
