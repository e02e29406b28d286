import { bearer, expectErrorShape, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

describe('bad input', () => {
  let t: TestApp;
  let owner: Registered;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '64kb' });
    owner = await register(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const countUsers = async () =>
    (await t.http().get('/api/v1/users').set(bearer(owner.accessToken)).expect(200)).body.data.length;

  it('names each missing field', async () => {
    const res = await t.http().post('/api/v1/auth/register').send({ email: 'x@example.test' }).expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    for (const field of ['organizationName', 'password', 'name']) expect(res.body.message).toContain(field);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'name',
      'organizationName',
      'password',
    ]);
  });

  it('refuses unknown fields instead of ignoring them (no mass assignment)', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(owner.accessToken))
      .send({
        email: 'extra@example.test',
        name: 'E',
        password: 'password-1',
        role: 'member',
        organizationId: owner.organizationId,
        passwordHash: 'x',
      })
      .expect(400);
    expect(res.body.message).toContain('property organizationId should not exist');
    expect(res.body.message).toContain('property passwordHash should not exist');
  });

  it('names wrong-typed fields and values out of range', async () => {
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(owner.accessToken))
      .send({ email: 42, name: ['a'], password: 'short', role: 'god' })
      .expect(400);
    for (const field of ['email', 'name', 'password', 'role']) expect(res.body.message).toContain(field);
    const scopes = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'k', scopes: ['read', 'root'] })
      .expect(400);
    expect(scopes.body.message).toContain('scopes');
    const date = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'k', expiresAt: 'tomorrow' })
      .expect(400);
    expect(date.body.message).toContain('expiresAt');
    const limit = await t.http().get('/api/v1/users?limit=1000').set(bearer(owner.accessToken)).expect(400);
    expect(limit.body.message).toContain('limit');
    const cursor = await t.http().get('/api/v1/users?cursor=abc').set(bearer(owner.accessToken)).expect(400);
    expect(cursor.body.message).toContain('cursor');
    const id = await t.http().get('/api/v1/users/not-a-uuid').set(bearer(owner.accessToken)).expect(400);
    expect(id.body.message).toContain('id');
  });

  it('answers malformed JSON with 400 and stores nothing', async () => {
    const before = await countUsers();
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(owner.accessToken))
      .set('Content-Type', 'application/json')
      .send('{"email": "half@example.test", "name": ')
      .expect(400);
    expectErrorShape(res.body, 400);
    expect(res.body.code).toBe('MALFORMED_JSON');
    expect(await countUsers()).toBe(before);
  });

  it('answers bodies that are not a JSON object with 400', async () => {
    const before = await countUsers();
    const bodies: [string, string][] = [
      ['text/plain', 'email=a@b.c'],
      ['application/json', '[]'],
      ['application/json', '[{"email":"arr@example.test","name":"A","password":"password-1","role":"member"}]'],
      ['application/json', '"just a string"'],
      ['application/json', 'null'],
      ['application/x-www-form-urlencoded', 'email=form@example.test&name=F&password=password-1&role=member'],
    ];
    for (const [type, body] of bodies) {
      const res = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(owner.accessToken))
        .set('Content-Type', type)
        .send(body);
      expect([400, 415]).toContain(res.status);
      expectErrorShape(res.body, res.status);
    }
    expect(await countUsers()).toBe(before);
  });

  it('answers an oversized body with 413', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: 'big@example.test', password: 'x'.repeat(200_000) })
      .expect(413);
    expectErrorShape(res.body, 413);
    expect(res.body.message).toContain('BODY_LIMIT');
  });

  it('answers unknown routes and methods with 404 in the same shape', async () => {
    const res = await t.http().get('/api/v1/no-such-thing').expect(404);
    expectErrorShape(res.body, 404);
    await t.http().put('/api/v1/auth/login').send({}).expect(404);
    await t.http().get('/nothing-here').expect(404);
  });

  it('answers garbage credentials with 401, never 500', async () => {
    for (const header of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer a.b.c',
      'Bearer am_' + 'x'.repeat(5000),
      'Bearer ' + 'é',
    ]) {
      const res = await t.http().get('/api/v1/auth/me').set('Authorization', header);
      expect(res.status).toBe(401);
      expectErrorShape(res.body, 401);
    }
    await t.http().get('/api/v1/auth/me').set('X-API-Key', 'am_nope').expect(401);
  });

  it('echoes a sane X-Request-Id and puts it in error bodies, replacing an unsafe one', async () => {
    const res = await t.http().get('/api/v1/auth/me').set('X-Request-Id', 'trace-123').expect(401);
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.body.requestId).toBe('trace-123');
    const evil = await t.http().get('/api/v1/auth/me').set('X-Request-Id', 'a b<script>').expect(401);
    expect(evil.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a blank organization name after trimming', async () => {
    const res = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ organizationName: '   ', email: 'blank@example.test', password: 'password-1', name: 'B' })
      .expect(400);
    expect(res.body.message).toContain('organizationName');
  });

  it('sets security headers', async () => {
    const res = await t.http().get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('login rate limit', () => {
  let t: TestApp;
  let owner: Registered;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    owner = await register(t); // the first of this address's three attempts
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After once an address exceeds AUTH_RATE_LIMIT_PER_MINUTE', async () => {
    const attempt = () => t.http().post('/api/v1/auth/login').send({ email: owner.email, password: 'guess-123' });
    for (let i = 0; i < 2; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt().expect(429);
    expectErrorShape(limited.body, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits: guessing cannot go on in this window.
    await t.http().post('/api/v1/auth/login').send({ email: owner.email, password: owner.password }).expect(429);
  });

  it('does not limit authenticated routes such as /auth/me', async () => {
    for (let i = 0; i < 10; i++) await t.http().get('/api/v1/auth/me').set(bearer(owner.accessToken)).expect(200);
  });
});

describe('input the edge refuses before any route (never a 500)', () => {
  let t: TestApp;
  let owner: Registered;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await register(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const countUsers = async () =>
    (await t.http().get('/api/v1/users').set(bearer(owner.accessToken)).expect(200)).body.data.length;

  const as = () => bearer(owner.accessToken);
  const raw = (method: 'post' | 'patch', path: string, body: string, auth = true) => {
    const req = t.http()[method](path).set('Content-Type', 'application/json');
    return (auth ? req.set(as()) : req).send(body);
  };
  const memoryCount = async () =>
    (await t.http().get('/api/v1/memories?limit=100').set(as()).expect(200)).body.data.length;

  it('answers a body nested 10,000 levels deep with 400, before login', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    for (const path of ['/api/v1/auth/register', '/api/v1/auth/login']) {
      const res = await raw('post', path, `{"email":"x@example.test","password":${deep}}`, false).expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body).toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^password\.a\.a.*nested deeper than 32 levels/),
      });
    }
    const arrays = '['.repeat(5_000) + ']'.repeat(5_000);
    const filters = await raw(
      'post',
      '/api/v1/memories/search',
      `{"query":"x","userId":"u","filters":{"AND":${arrays}}}`,
    ).expect(400);
    expect(filters.body.message).toMatch(/^filters\.AND\.0\.0.*nested deeper/);
  });

  it('answers NUL characters with 400 naming the field, and stores nothing', async () => {
    const before = await memoryCount();
    const res = await raw(
      'post',
      '/api/v1/memories',
      '{"content":"tea\\u0000time","userId":"alice","infer":false}',
    ).expect(400);
    expect(res.body).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'content: must not contain the NUL character (\\u0000)',
      details: [{ field: 'content' }],
    });
    await raw(
      'post',
      '/api/v1/memories',
      '{"messages":[{"role":"user","content":"a\\u0000"}],"userId":"alice"}',
    ).expect(400);
    const search = await raw('post', '/api/v1/memories/search', '{"query":"\\u0000","userId":"alice"}').expect(400);
    expect(search.body.message).toMatch(/^query: /);
    const agent = await raw('post', '/api/v1/agents', '{"name":"a\\u0000"}').expect(400);
    expect(agent.body.message).toMatch(/^name: /);
    expect(await memoryCount()).toBe(before);
    const path = await t.http().get('/api/v1/memories/%00').set(as()).expect(400);
    expect(path.body.code).toBe('INVALID_INPUT');
    const query = await t.http().get('/api/v1/memories?limit=10&userId=%00').set(as()).expect(400);
    expect(query.body.message).toMatch(/^userId: /);
  });

  it('answers lone UTF-16 surrogates with 400 naming the field (register, login, users)', async () => {
    const users = await countUsers();
    const reg = await raw(
      'post',
      '/api/v1/auth/register',
      '{"organizationName":"O","email":"s@example.test","password":"\\ud800\\ud800\\ud800\\ud800","name":"N"}',
      false,
    ).expect(400);
    expect(reg.body).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^password: .*surrogate/) });
    await raw('post', '/api/v1/auth/login', '{"email":"\\udc00@example.test","password":"whatever-1"}', false).expect(
      400,
    );
    await raw(
      'post',
      '/api/v1/users',
      '{"email":"u@example.test","name":"x\\ud800","password":"password-1","role":"member"}',
    ).expect(400);
    expect(await countUsers()).toBe(users);
    // A surrogate pair (an emoji) is ordinary text.
    await raw('post', '/api/v1/memories', '{"content":"tea \\ud83c\\udf75","userId":"alice","infer":false}').expect(
      201,
    );
  });

  it.each(['Feb 30 2020', '0', 'March 7 2020 (hello)', '+275760-09-13T00:00:00.000Z', '2020-02-30T00:00:00Z'])(
    'answers the filter date %j with 400 naming the filter path',
    async (date) => {
      const res = await t
        .http()
        .post('/api/v1/memories/search')
        .set(as())
        .send({ query: 'tea', userId: 'alice', filters: { AND: [{ topic: 'x' }, { createdAt: { gte: date } }] } })
        .expect(400);
      expect(res.body.message).toMatch(/^filters\.AND\.1\.createdAt\.gte: must be an ISO 8601 date-time/);
      const list = await t
        .http()
        .get(`/api/v1/memories?limit=10&createdAfter=${encodeURIComponent(date)}`)
        .set(as())
        .expect(400);
      expect(list.body.message).toMatch(/^createdAfter must be an ISO 8601 date-time/);
      const key = await t.http().post('/api/v1/api-keys').set(as()).send({ name: 'k', expiresAt: date }).expect(400);
      expect(key.body.message).toMatch(/^expiresAt must be an ISO 8601/);
    },
  );

  it('answers null for a required field of a PATCH with 400, leaving the row as it was', async () => {
    for (const field of ['name', 'role', 'password']) {
      const res = await t
        .http()
        .patch(`/api/v1/users/${owner.userId}`)
        .set(as())
        .send({ [field]: null })
        .expect(400);
      expect(res.body.message).toMatch(new RegExp(`^${field} `));
    }
    const me = await t.http().get(`/api/v1/users/${owner.userId}`).set(as()).expect(200);
    expect(me.body).toMatchObject({ name: 'Owner', role: 'owner' });
  });

  it('answers null content or messages of an add with 400 naming the field, storing nothing', async () => {
    for (const field of ['content', 'messages']) {
      const res = await t
        .http()
        .post('/api/v1/memories')
        .set(as())
        .send({ [field]: null, userId: 'nulls' })
        .expect(400);
      expect(res.body.message).toMatch(new RegExp(`^${field} `));
    }
    const list = await t.http().get('/api/v1/memories?userId=nulls').set(as()).expect(200);
    expect(list.body.data).toEqual([]);
  });

  it('answers unknown routes, under /api/v1 or not, with the JSON error shape', async () => {
    for (const [method, path] of [
      ['post', '/v9/blocks/'],
      ['get', '/nothing'],
      ['get', '/api/v1/nothing'],
      ['delete', '/v3/memories/x'],
    ] as const) {
      const res = await t.http()[method](path).expect(404);
      expect(res.headers['content-type']).toMatch(/json/);
      expectErrorShape(res.body, 404);
    }
    const undecodable = await t.http().get('/api/v1/memories/%E0%A4%A').set(as()).expect(400);
    expectErrorShape(undecodable.body, 400);
  });
});
