import { bearer, expectErrorShape, onPostgres, register, startTestApp, uniqueEmail } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/**
 * Privilege escalation, tried as the attacker would: each test is the request of someone who
 * holds a credential they should no longer be able to use (a demoted or removed person's key, a
 * lower key, a member editing a tool that holds secrets), the answer it must get, and what the
 * stored data must still be afterwards.
 */
describe('escalation: keys never outrank their owner', () => {
  let t: TestApp;
  let owner: Registered;
  const asOwner = () => bearer(owner.accessToken);
  const key = (k: string) => ({ 'X-API-Key': k });

  /** A member of the organization with a role, logged in. */
  async function person(role: string): Promise<{ id: string; token: string }> {
    const email = uniqueEmail(role);
    const user = (
      await t
        .http()
        .post('/api/v1/users')
        .set(asOwner())
        .send({ email, name: role, password: 'password-123', role })
        .expect(201)
    ).body;
    const token = (await t.http().post('/api/v1/auth/login').send({ email, password: 'password-123' }).expect(200)).body
      .accessToken;
    return { id: user.id, token };
  }
  const makeKey = async (token: string, body: Record<string, unknown>) =>
    (
      await t
        .http()
        .post('/api/v1/api-keys')
        .set(bearer(token))
        .send({ name: 'k', ...body })
        .expect(201)
    ).body;
  const userCount = async () =>
    (await t.http().get('/api/v1/users?limit=100').set(asOwner()).expect(200)).body.data.length;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await register(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('demoting a person demotes their keys at once, and a later promotion does not give them back', async () => {
    const admin = await person('admin');
    const adminKey = (await makeKey(admin.token, { scopes: ['read', 'write', 'admin'] })).key;
    // Used once before the demotion, so any credential cache holds it as admin.
    expect((await t.http().get('/api/v1/auth/me').set(key(adminKey)).expect(200)).body.role).toBe('admin');

    await t.http().patch(`/api/v1/users/${admin.id}`).set(asOwner()).send({ role: 'viewer' }).expect(200);

    expect((await t.http().get('/api/v1/auth/me').set(key(adminKey)).expect(200)).body.role).toBe('viewer');
    const promote = await t
      .http()
      .patch(`/api/v1/users/${admin.id}`)
      .set(key(adminKey))
      .send({ role: 'admin' })
      .expect(403);
    expectErrorShape(promote.body, 403);
    await t
      .http()
      .post('/api/v1/users')
      .set(key(adminKey))
      .send({ email: uniqueEmail('x'), name: 'x', password: 'password-123', role: 'admin' })
      .expect(403);
    await t
      .http()
      .post('/api/v1/memories')
      .set(key(adminKey))
      .send({ content: 'x', userId: 'u', infer: false })
      .expect(403);
    expect((await t.http().get(`/api/v1/users/${admin.id}`).set(asOwner()).expect(200)).body.role).toBe('viewer');

    await t.http().patch(`/api/v1/users/${admin.id}`).set(asOwner()).send({ role: 'admin' }).expect(200);
    expect((await t.http().get('/api/v1/auth/me').set(key(adminKey)).expect(200)).body.role).toBe('viewer');
    const keys = (await t.http().get('/api/v1/api-keys?limit=100').set(asOwner()).expect(200)).body.data;
    expect(keys.find((k: { prefix: string }) => adminKey.startsWith(k.prefix))).toMatchObject({
      kind: 'personal',
      scopes: ['read'],
    });
  });

  it('removing a person revokes their keys: the key of a deleted admin creates nobody', async () => {
    const admin = await person('admin');
    const adminKey = (await makeKey(admin.token, { scopes: ['read', 'write', 'admin'] })).key;
    await t.http().get('/api/v1/auth/me').set(key(adminKey)).expect(200);
    await t.http().delete(`/api/v1/users/${admin.id}`).set(asOwner()).expect(204);

    const before = await userCount();
    const res = await t
      .http()
      .post('/api/v1/users')
      .set(key(adminKey))
      .send({ email: uniqueEmail('x'), name: 'x', password: 'password-123', role: 'admin' })
      .expect(401);
    expectErrorShape(res.body, 401);
    await t.http().get('/api/v1/auth/me').set(key(adminKey)).expect(401);
    expect(await userCount()).toBe(before);
    const listed = (await t.http().get('/api/v1/api-keys?limit=100').set(asOwner()).expect(200)).body.data.find(
      (k: { prefix: string }) => adminKey.startsWith(k.prefix),
    );
    expect(listed.revokedAt).not.toBeNull();
  });

  it("a read-write key cannot revoke its creator's admin keys; any key can revoke itself", async () => {
    const admin = await person('admin');
    const adminKey = await makeKey(admin.token, { scopes: ['read', 'write', 'admin'] });
    const writeKey = await makeKey(admin.token, { scopes: ['read', 'write'] });
    const readKey = await makeKey(admin.token, { scopes: ['read'] });

    const res = await t.http().delete(`/api/v1/api-keys/${adminKey.id}`).set(key(writeKey.key)).expect(403);
    expectErrorShape(res.body, 403);
    await t.http().delete(`/api/v1/api-keys/${adminKey.id}`).set(key(readKey.key)).expect(403);
    await t.http().delete(`/api/v1/api-keys/${writeKey.id}`).set(key(readKey.key)).expect(403);
    expect((await t.http().get('/api/v1/auth/me').set(key(adminKey.key)).expect(200)).body.role).toBe('admin');

    // At or below its own level, and itself, even read-only.
    const otherRead = await makeKey(admin.token, { scopes: ['read'] });
    await t.http().delete(`/api/v1/api-keys/${otherRead.id}`).set(key(writeKey.key)).expect(204);
    await t.http().delete(`/api/v1/api-keys/${readKey.id}`).set(key(readKey.key)).expect(204);
    await t.http().get('/api/v1/auth/me').set(key(readKey.key)).expect(401);
    await t.http().delete(`/api/v1/api-keys/${writeKey.id}`).set(bearer(admin.token)).expect(204);
  });

  it("a member revokes their own keys but not another person's", async () => {
    const member = await person('member');
    const other = await person('member');
    const mine = await makeKey(member.token, {});
    const theirs = await makeKey(other.token, {});
    await t.http().delete(`/api/v1/api-keys/${theirs.id}`).set(bearer(member.token)).expect(403);
    await t.http().get('/api/v1/auth/me').set(key(theirs.key)).expect(200);
    await t.http().delete(`/api/v1/api-keys/${mine.id}`).set(bearer(member.token)).expect(204);
  });

  it('service keys are explicit: admins only, acting for the organization, outliving their creator', async () => {
    const member = await person('member');
    const refused = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(member.token))
      .send({ name: 's', kind: 'service' })
      .expect(403);
    expect(refused.body.message).toMatch(/service keys/);

    const admin = await person('admin');
    const service = await makeKey(admin.token, { kind: 'service', scopes: ['read', 'write', 'admin'] });
    expect(service).toMatchObject({ kind: 'service', createdBy: admin.id });
    await t.http().delete(`/api/v1/users/${admin.id}`).set(asOwner()).expect(204);

    const me = (await t.http().get('/api/v1/auth/me').set(key(service.key)).expect(200)).body;
    expect(me).toMatchObject({
      authenticatedBy: 'api_key',
      role: 'admin',
      user: null,
      apiKey: expect.objectContaining({ kind: 'service' }),
    });
    // What a service key makes is a service key; it cannot make a person's key.
    expect(
      (
        await t
          .http()
          .post('/api/v1/api-keys')
          .set(key(service.key))
          .send({ name: 'child', scopes: ['read'] })
          .expect(201)
      ).body.kind,
    ).toBe('service');
    await t.http().post('/api/v1/api-keys').set(key(service.key)).send({ name: 'child', kind: 'personal' }).expect(403);
    // Only an admin revokes it.
    await t.http().delete(`/api/v1/api-keys/${service.id}`).set(bearer(member.token)).expect(403);
    await t.http().delete(`/api/v1/api-keys/${service.id}`).set(asOwner()).expect(204);
    await t.http().get('/api/v1/auth/me').set(key(service.key)).expect(401);
  });

  (onPostgres ? it : it.skip)(
    'a demotion holds on every replica at the next request (PostgreSQL: two API processes)',
    async () => {
      const other = await startTestApp({}, t.storage);
      try {
        const admin = await person('admin');
        const adminKey = (await makeKey(admin.token, { scopes: ['read', 'write', 'admin'] })).key;
        await other.http().get('/api/v1/users?limit=10').set(key(adminKey)).expect(200);
        await t.http().patch(`/api/v1/users/${admin.id}`).set(asOwner()).send({ role: 'member' }).expect(200);
        await other
          .http()
          .post('/api/v1/users')
          .set(key(adminKey))
          .send({ email: uniqueEmail('x'), name: 'x', password: 'password-123', role: 'member' })
          .expect(403);
      } finally {
        await other.stop();
      }
    },
  );
});

describe('escalation: a tool that holds secrets', () => {
  let t: TestApp;
  let owner: Registered;
  let memberToken: string;
  let toolId: string;
  const SOURCE = 'return env.TOKEN.length;';

  beforeAll(async () => {
    t = await startTestApp();
    owner = await register(t);
    const email = uniqueEmail('member');
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(owner.accessToken))
      .send({ email, name: 'M', password: 'password-123', role: 'member' })
      .expect(201);
    memberToken = (await t.http().post('/api/v1/auth/login').send({ email, password: 'password-123' }).expect(200)).body
      .accessToken;
    const tool = await t
      .http()
      .post('/api/v1/tools')
      .set(bearer(owner.accessToken))
      .send({
        name: 'weather',
        description: 'weather',
        parameters: { type: 'object', properties: {} },
        sourceCode: SOURCE,
        secrets: { TOKEN: 'sk-live-abcdef123456' },
      })
      .expect(201);
    toolId = tool.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const patchAs = (token: string, body: Record<string, unknown>) =>
    t.http().patch(`/api/v1/tools/${toolId}`).set(bearer(token)).send(body);

  it('a member cannot change the code or hosts to read the secret out, and the tool stays as it was', async () => {
    const leak = await patchAs(memberToken, { sourceCode: "return env.TOKEN.split('').reverse().join('');" }).expect(
      403,
    );
    expectErrorShape(leak.body, 403);
    expect(leak.body).toMatchObject({
      code: 'TOOL_SECRETS_GUARDED',
      message: expect.stringMatching(/^sourceCode: .*admin/),
    });
    await patchAs(memberToken, { allowedHosts: ['attacker.example'] }).expect(403);
    const tool = (await t.http().get(`/api/v1/tools/${toolId}`).set(bearer(owner.accessToken)).expect(200)).body;
    expect(tool).toMatchObject({ sourceCode: SOURCE, allowedHosts: [], secretNames: ['TOKEN'] });
    const run = (
      await t.http().post(`/api/v1/tools/${toolId}/run`).set(bearer(memberToken)).send({ args: {} }).expect(200)
    ).body;
    expect(run).toMatchObject({ status: 'ok', result: 20 });
  });

  it('a member may change anything else, or the code together with new secrets of their own', async () => {
    await patchAs(memberToken, { description: 'the weather', sourceCode: SOURCE }).expect(200);
    const replaced = await patchAs(memberToken, {
      sourceCode: "return env.TOKEN.split('').reverse().join('');",
      secrets: { TOKEN: 'mine-1234' },
    }).expect(200);
    expect(replaced.body.secretNames).toEqual(['TOKEN']);
    const run = (
      await t.http().post(`/api/v1/tools/${toolId}/run`).set(bearer(memberToken)).send({ args: {} }).expect(200)
    ).body;
    expect(run.result).toBe('4321-enim');
  });

  it('an admin may change the code of a tool that holds secrets', async () => {
    await t
      .http()
      .patch(`/api/v1/tools/${toolId}`)
      .set(bearer(owner.accessToken))
      .send({ sourceCode: SOURCE })
      .expect(200);
  });
});
