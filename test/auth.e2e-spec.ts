import { JwtService } from '@nestjs/jwt';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bearer,
  expectErrorShape,
  onPostgres,
  register,
  startTestApp,
  TEST_JWT_SECRET,
  uniqueEmail,
} from './support/test-app.js';
import type { TestApp } from './support/test-app.js';

describe('auth', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const jwtSecret = async () =>
    onPostgres ? TEST_JWT_SECRET : (await readFile(join(t.storage.location, 'jwt-secret'), 'utf8')).trim();

  it('registers, logs in, answers me, and a created API key works until it is revoked', async () => {
    const owner = await register(t, 'Acme');

    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: owner.email, password: owner.password })
      .expect(200);
    expect(login.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { email: owner.email, role: 'owner' },
      organization: { name: 'Acme' },
    });
    expect(login.body.user.passwordHash).toBeUndefined();

    const me = await t.http().get('/api/v1/auth/me').set(bearer(login.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({
      authenticatedBy: 'user',
      role: 'owner',
      user: { id: owner.userId },
      organization: { id: owner.organizationId },
      apiKey: null,
    });

    const created = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(login.body.accessToken))
      .send({ name: 'ingest' })
      .expect(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^am_[A-Za-z0-9_-]{40}$/);
    expect(created.body).toMatchObject({
      name: 'ingest',
      scopes: ['read', 'write'],
      prefix: key.slice(0, 12),
      revokedAt: null,
    });

    // The key works as a Bearer token and as X-API-Key.
    const viaKey = await t.http().get('/api/v1/auth/me').set(bearer(key)).expect(200);
    expect(viaKey.body).toMatchObject({
      authenticatedBy: 'api_key',
      role: 'member',
      apiKey: { id: created.body.id },
      organization: { id: owner.organizationId },
    });
    await t.http().get('/api/v1/auth/me').set('X-API-Key', key).expect(200);

    // Only the prefix is ever listed again.
    const list = await t.http().get('/api/v1/api-keys').set(bearer(key)).expect(200);
    expect(list.body.data).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(list.body.data[0].lastUsedAt).not.toBeNull();

    await t.http().delete(`/api/v1/api-keys/${created.body.id}`).set(bearer(login.body.accessToken)).expect(204);
    const after = await t.http().get('/api/v1/auth/me').set(bearer(key)).expect(401);
    expectErrorShape(after.body, 401);
    expect(after.body.code).toBe('INVALID_API_KEY');
    await t.http().get('/api/v1/auth/me').set('X-API-Key', key).expect(401);
  });

  it('rotates refresh tokens and revokes the whole family when a used one comes back', async () => {
    const owner = await register(t);
    const first = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: owner.refreshToken }).expect(200);
    expect(first.body.refreshToken).not.toBe(owner.refreshToken);
    const second = await t
      .http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.body.refreshToken })
      .expect(200);

    // An attacker replays the first (already used) token: refused, and the live one dies too.
    const replay = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: owner.refreshToken }).expect(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    const victim = await t
      .http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: second.body.refreshToken })
      .expect(401);
    expect(victim.body.code).toBe('INVALID_TOKEN');

    // A new login starts a new family that still works.
    const login = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: owner.email, password: owner.password })
      .expect(200);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(200);
  });

  it('lets only one of two concurrent uses of a refresh token succeed', async () => {
    const owner = await register(t);
    const results = await Promise.all(
      [0, 1, 2].map(() => t.http().post('/api/v1/auth/refresh').send({ refreshToken: owner.refreshToken })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('logout ends the session of the refresh token', async () => {
    const owner = await register(t);
    await t.http().post('/api/v1/auth/logout').send({ refreshToken: owner.refreshToken }).expect(204);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: owner.refreshToken }).expect(401);
  });

  it('refuses expired, tampered, foreign-signed and unsigned access tokens', async () => {
    const owner = await register(t);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: owner.userId, org: owner.organizationId, typ: 'access' };
    const signer = new JwtService({ secret: await jwtSecret() });

    const expired = signer.sign({ ...claims, iat: now - 1000, exp: now - 10 }, { issuer: 'agentmem' });
    const res = await t.http().get('/api/v1/auth/me').set(bearer(expired)).expect(401);
    expectErrorShape(res.body, 401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');

    const valid = signer.sign(claims, { issuer: 'agentmem', expiresIn: 60 });
    await t.http().get('/api/v1/auth/me').set(bearer(valid)).expect(200);

    const foreign = new JwtService({ secret: 'x'.repeat(48) }).sign(claims, { issuer: 'agentmem', expiresIn: 60 });
    await t.http().get('/api/v1/auth/me').set(bearer(foreign)).expect(401);

    const [h, p] = owner.accessToken.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...claims, org: '00000000-0000-7000-8000-000000000000' }),
    ).toString('base64url');
    await t
      .http()
      .get('/api/v1/auth/me')
      .set(bearer(`${h}.${forgedPayload}.${owner.accessToken.split('.')[2]}`))
      .expect(401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await t
      .http()
      .get('/api/v1/auth/me')
      .set(bearer(`${none}.${p}.`))
      .expect(401);

    // A refresh token is not an access token, and vice versa.
    await t.http().get('/api/v1/auth/me').set(bearer(owner.refreshToken)).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: owner.accessToken }).expect(400);
  });

  it('answers wrong passwords and unknown emails alike, and refuses a taken email', async () => {
    const owner = await register(t);
    const wrong = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: owner.email, password: 'not-the-password' })
      .expect(401);
    const unknown = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: uniqueEmail('nobody'), password: 'whatever-1' })
      .expect(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

    const taken = await t
      .http()
      .post('/api/v1/auth/register')
      .send({ organizationName: 'Copycat', email: owner.email.toUpperCase(), password: 'password-123', name: 'X' })
      .expect(409);
    expect(taken.body.message).toContain('already registered');
    // Email matching ignores case at login too.
    await t
      .http()
      .post('/api/v1/auth/login')
      .send({ email: owner.email.toUpperCase(), password: owner.password })
      .expect(200);
  });

  it('scopes API keys: read keys cannot write, nobody mints a key above their role, expiry must be ahead', async () => {
    const owner = await register(t);
    const read = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'ro', scopes: ['read'] })
      .expect(201);
    await t.http().get('/api/v1/users').set(bearer(read.body.key)).expect(200);
    const denied = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(read.body.key))
      .send({ name: 'escalate', scopes: ['admin'] })
      .expect(403);
    expectErrorShape(denied.body, 403);

    const write = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'rw', scopes: ['write'] })
      .expect(201);
    const escalate = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(write.body.key))
      .send({ name: 'x', scopes: ['admin'] })
      .expect(403);
    expect(escalate.body.code).toBe('SCOPE_EXCEEDS_ROLE');
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(write.body.key))
      .send({ email: uniqueEmail(), name: 'n', password: 'password-1', role: 'member' })
      .expect(403);

    const admin = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'adm', scopes: ['admin'] })
      .expect(201);
    await t
      .http()
      .post('/api/v1/users')
      .set(bearer(admin.body.key))
      .send({ email: uniqueEmail(), name: 'n', password: 'password-1', role: 'member' })
      .expect(201);

    const past = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'old', expiresAt: '2001-01-01T00:00:00Z' })
      .expect(400);
    expect(past.body.message).toContain('expiresAt');
  });

  it('stops accepting a key once it expires', async () => {
    const owner = await register(t);
    const soon = new Date(Date.now() + 1500).toISOString();
    const key = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: 'short', expiresAt: soon })
      .expect(201);
    await t.http().get('/api/v1/auth/me').set(bearer(key.body.key)).expect(200);
    // Waiting for a clock, not for an event: nothing to await but time.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(soon) - Date.now()) + 100));
    await t.http().get('/api/v1/auth/me').set(bearer(key.body.key)).expect(401);
  });

  it('ends every session of a user whose password changes, and the new password works', async () => {
    const owner = await register(t);
    await t
      .http()
      .patch(`/api/v1/users/${owner.userId}`)
      .set(bearer(owner.accessToken))
      .send({ password: 'brand-new-password' })
      .expect(200);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: owner.refreshToken }).expect(401);
    await t.http().post('/api/v1/auth/login').send({ email: owner.email, password: owner.password }).expect(401);
    await t.http().post('/api/v1/auth/login').send({ email: owner.email, password: 'brand-new-password' }).expect(200);
  });

  it('refuses a deleted user at once, even with an unexpired access token', async () => {
    const owner = await register(t);
    const email = uniqueEmail('member');
    const member = await t
      .http()
      .post('/api/v1/users')
      .set(bearer(owner.accessToken))
      .send({ email, name: 'M', password: 'password-1', role: 'member' })
      .expect(201);
    const login = await t.http().post('/api/v1/auth/login').send({ email, password: 'password-1' }).expect(200);
    await t.http().get('/api/v1/auth/me').set(bearer(login.body.accessToken)).expect(200);
    await t.http().delete(`/api/v1/users/${member.body.id}`).set(bearer(owner.accessToken)).expect(204);
    await t.http().get('/api/v1/auth/me').set(bearer(login.body.accessToken)).expect(401);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
  });
});
