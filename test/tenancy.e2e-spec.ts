import { bearer, expectErrorShape, register, startTestApp, uniqueEmail } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

describe('tenancy and roles', () => {
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  let aKeyId: string;
  let aMemberId: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
    const key = await t.http().post('/api/v1/api-keys').set(bearer(a.accessToken)).send({ name: 'a-key' }).expect(201);
    aKeyId = key.body.id;
    const member = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(a.accessToken))
      .send({ email: uniqueEmail('a-member'), name: 'A member', password: 'password-1', role: 'member' })
      .expect(201);
    aMemberId = member.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers 404 to organization B for organization A's users, on every verb", async () => {
    for (const id of [a.userId, aMemberId]) {
      const get = await t.http().get(`/api/v1/users/${id}`).set(bearer(b.accessToken)).expect(404);
      expectErrorShape(get.body, 404);
      await t.http().patch(`/api/v1/users/${id}`).set(bearer(b.accessToken)).send({ name: 'pwned' }).expect(404);
      await t.http().patch(`/api/v1/users/${id}`).set(bearer(b.accessToken)).send({ role: 'viewer' }).expect(404);
      await t.http().delete(`/api/v1/users/${id}`).set(bearer(b.accessToken)).expect(404);
    }
    // Nothing of A changed.
    const member = await t.http().get(`/api/v1/users/${aMemberId}`).set(bearer(a.accessToken)).expect(200);
    expect(member.body).toMatchObject({ name: 'A member', role: 'member' });
  });

  it("answers 404 to organization B for organization A's API keys, and cannot revoke them", async () => {
    await t.http().get(`/api/v1/api-keys/${aKeyId}`).set(bearer(b.accessToken)).expect(404);
    await t.http().delete(`/api/v1/api-keys/${aKeyId}`).set(bearer(b.accessToken)).expect(404);
    const key = await t.http().get(`/api/v1/api-keys/${aKeyId}`).set(bearer(a.accessToken)).expect(200);
    expect(key.body.revokedAt).toBeNull();
  });

  it("lists only the caller's own organization's rows", async () => {
    const users = await t.http().get('/api/v1/users').set(bearer(b.accessToken)).expect(200);
    expect(users.body.data.map((u: { id: string }) => u.id)).toEqual([b.userId]);
    expect(users.body.nextCursor).toBeNull();
    const keys = await t.http().get('/api/v1/api-keys').set(bearer(b.accessToken)).expect(200);
    expect(keys.body.data).toEqual([]);
    // A cursor taken from another organization's ids leaks nothing either.
    const paged = await t.http().get(`/api/v1/users?cursor=${b.userId}`).set(bearer(b.accessToken)).expect(200);
    expect(paged.body.data).toEqual([]);
  });

  it('an API key of organization B sees nothing of organization A', async () => {
    const key = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(b.accessToken))
      .send({ name: 'b-admin', scopes: ['admin'] })
      .expect(201);
    await t.http().get(`/api/v1/users/${a.userId}`).set('X-API-Key', key.body.key).expect(404);
    await t.http().delete(`/api/v1/api-keys/${aKeyId}`).set('X-API-Key', key.body.key).expect(404);
  });

  it('gives a viewer 403 on every write, and lets it read', async () => {
    const email = uniqueEmail('viewer');
    const viewer = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(a.accessToken))
      .send({ email, name: 'V', password: 'password-1', role: 'viewer' })
      .expect(201);
    const login = await t.http().post('/api/v1/auth/login').send({ email, password: 'password-1' }).expect(200);
    const token = login.body.accessToken;
    await t.http().get('/api/v1/users').set(bearer(token)).expect(200);
    await t.http().get('/api/v1/api-keys').set(bearer(token)).expect(200);
    const writes = [
      t
        .http()
        .post('/api/v1/api-keys')
        .set(bearer(token))
        .send({ name: 'nope', scopes: ['read'] }),
      t
        .http()
        .post('/api/v1/users')
        .set(bearer(token))
        .send({ email: uniqueEmail(), name: 'x', password: 'password-1', role: 'viewer' }),
      t.http().patch(`/api/v1/users/${viewer.body.id}`).set(bearer(token)).send({ role: 'owner' }),
      t.http().patch(`/api/v1/users/${aMemberId}`).set(bearer(token)).send({ name: 'x' }),
      t.http().delete(`/api/v1/users/${aMemberId}`).set(bearer(token)),
      t.http().delete(`/api/v1/api-keys/${aKeyId}`).set(bearer(token)),
    ];
    for (const res of await Promise.all(writes)) {
      expect(res.status).toBe(403);
      expectErrorShape(res.body, 403);
    }
    const still = await t.http().get(`/api/v1/users/${viewer.body.id}`).set(bearer(a.accessToken)).expect(200);
    expect(still.body.role).toBe('viewer');
  });

  it('keeps members from escalating and admins from touching owners', async () => {
    const memberEmail = uniqueEmail('m');
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(a.accessToken))
      .send({ email: memberEmail, name: 'M', password: 'password-1', role: 'member' })
      .expect(201);
    const member = (
      await t.http().post('/api/v1/auth/login').send({ email: memberEmail, password: 'password-1' }).expect(200)
    ).body;
    await t
      .http()
      .patch(`/api/v1/users/${member.user.id}`)
      .set(bearer(member.accessToken))
      .send({ role: 'admin' })
      .expect(403);
    await t
      .http()
      .patch(`/api/v1/users/${member.user.id}`)
      .set(bearer(member.accessToken))
      .send({ name: 'Renamed' })
      .expect(200);

    const adminEmail = uniqueEmail('adm');
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(a.accessToken))
      .send({ email: adminEmail, name: 'Adm', password: 'password-1', role: 'admin' })
      .expect(201);
    const admin = (
      await t.http().post('/api/v1/auth/login').send({ email: adminEmail, password: 'password-1' }).expect(200)
    ).body;
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(admin.accessToken))
      .send({ email: uniqueEmail(), name: 'O', password: 'password-1', role: 'owner' })
      .expect(403);
    await t
      .http()
      .patch(`/api/v1/users/${a.userId}`)
      .set(bearer(admin.accessToken))
      .send({ role: 'member' })
      .expect(403);
    await t.http().delete(`/api/v1/users/${a.userId}`).set(bearer(admin.accessToken)).expect(403);
    await t
      .http()
      .patch(`/api/v1/users/${admin.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ role: 'owner' })
      .expect(403);
    await t
      .http()
      .patch(`/api/v1/users/${member.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ role: 'viewer' })
      .expect(200);
  });

  it('applies a demotion to the very next request of a token issued before it', async () => {
    const email = uniqueEmail('demoted');
    const user = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(a.accessToken))
      .send({ email, name: 'D', password: 'password-1', role: 'member' })
      .expect(201);
    const token = (await t.http().post('/api/v1/auth/login').send({ email, password: 'password-1' }).expect(200)).body
      .accessToken;
    await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(token))
      .send({ name: 'before', scopes: ['read'] })
      .expect(201);
    await t
      .http()
      .patch(`/api/v1/users/${user.body.id}`)
      .set(bearer(a.accessToken))
      .send({ role: 'viewer' })
      .expect(200);
    await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(token))
      .send({ name: 'after', scopes: ['read'] })
      .expect(403);
    const me = await t.http().get('/api/v1/auth/me').set(bearer(token)).expect(200);
    expect(me.body.role).toBe('viewer');
  });

  it('never leaves an organization without an owner', async () => {
    const c = await register(t, 'Org C');
    const demote = await t
      .http()
      .patch(`/api/v1/users/${c.userId}`)
      .set(bearer(c.accessToken))
      .send({ role: 'admin' })
      .expect(409);
    expect(demote.body.code).toBe('LAST_OWNER');
    await t.http().delete(`/api/v1/users/${c.userId}`).set(bearer(c.accessToken)).expect(409);

    // Two owners demoting each other at the same time: exactly one wins.
    const email = uniqueEmail('owner2');
    const second = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(c.accessToken))
      .send({ email, name: 'O2', password: 'password-1', role: 'owner' })
      .expect(201);
    const o2 = (await t.http().post('/api/v1/auth/login').send({ email, password: 'password-1' }).expect(200)).body;
    const results = await Promise.all([
      t.http().patch(`/api/v1/users/${second.body.id}`).set(bearer(c.accessToken)).send({ role: 'member' }),
      t.http().patch(`/api/v1/users/${c.userId}`).set(bearer(o2.accessToken)).send({ role: 'member' }),
    ]);
    // The loser gets 409 (it saw the other demotion under the lock) or 403 (it was already
    // demoted when it authenticated); never two demotions.
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const winner = results.find((r) => r.status === 200)!;
    const token = winner === results[0] ? c.accessToken : o2.accessToken;
    const users = (await t.http().get('/api/v1/users').set(bearer(token)).expect(200)).body.data;
    expect(users.filter((u: { role: string }) => u.role === 'owner')).toHaveLength(1);
  });

  it('pages through users with limit and cursor, in creation order', async () => {
    const d = await register(t, 'Org D');
    const ids = [d.userId];
    for (let i = 0; i < 4; i++) {
      const res = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(d.accessToken))
        .send({ email: uniqueEmail('p'), name: `P${i}`, password: 'password-1', role: 'viewer' })
        .expect(201);
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/users')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(d.accessToken))
        .expect(200);
      seen.push(...res.body.data.map((u: { id: string }) => u.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });
});
