import { connected, nextEvent, socketClient } from './support/realtime-clients.js';
import { bearer, expectErrorShape, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

describe('agents', () => {
  let t: TestApp;
  let a: Registered;
  let b: Registered;

  beforeAll(async () => {
    t = await startTestApp();
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates, lists, reads, updates and deletes an agent, telling the organization’s clients', async () => {
    const socket = await connected(socketClient(t.url, a.accessToken));
    try {
      const created = nextEvent<{ status: string; agent_id: string }>(
        socket,
        'agent_update',
        (e) => e.status === 'created',
      );
      const res = await t
        .http()
        .post('/api/v1/agents')
        .set(bearer(a.accessToken))
        .send({ name: 'support-bot', system: 'Be kind.', metadata: { team: 'cx' } })
        .expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          name: 'support-bot',
          description: null,
          system: 'Be kind.',
          metadata: { team: 'cx' },
        }),
      );
      expect((await created).agent_id).toBe(res.body.id);
      const id = res.body.id;
      expect((await t.http().get('/api/v1/agents').set(bearer(a.accessToken)).expect(200)).body).toEqual({
        data: [expect.objectContaining({ id })],
        nextCursor: null,
      });
      const updated = nextEvent<{ status: string }>(socket, 'agent_update', (e) => e.status === 'updated');
      const patched = await t
        .http()
        .patch(`/api/v1/agents/${id}`)
        .set(bearer(a.accessToken))
        .send({ description: 'Answers tickets' })
        .expect(200);
      expect(patched.body).toEqual(expect.objectContaining({ name: 'support-bot', description: 'Answers tickets' }));
      await updated;
      const deleted = nextEvent<{ status: string }>(socket, 'agent_update', (e) => e.status === 'deleted');
      await t.http().delete(`/api/v1/agents/${id}`).set(bearer(a.accessToken)).expect(204);
      await deleted;
      await t.http().get(`/api/v1/agents/${id}`).set(bearer(a.accessToken)).expect(404);
    } finally {
      socket.disconnect();
    }
  });

  it('refuses bad input naming the field, and leaves the agent as it was', async () => {
    const id = (await t.http().post('/api/v1/agents').set(bearer(a.accessToken)).send({ name: 'steady' }).expect(201))
      .body.id;
    const noName = await t.http().post('/api/v1/agents').set(bearer(a.accessToken)).send({ system: 'x' }).expect(400);
    expectErrorShape(noName.body, 400);
    expect(noName.body.message).toMatch(/name/);
    const bad = await t
      .http()
      .patch(`/api/v1/agents/${id}`)
      .set(bearer(a.accessToken))
      .send({ name: '', metadata: 'nope' })
      .expect(400);
    expect(bad.body.message).toMatch(/name/);
    expect(bad.body.message).toMatch(/metadata/);
    await t
      .http()
      .patch(`/api/v1/agents/${id}`)
      .set(bearer(a.accessToken))
      .send({ organizationId: b.organizationId })
      .expect(400);
    expect(
      (await t.http().patch(`/api/v1/agents/${id}`).set(bearer(a.accessToken)).send({ name: null }).expect(400)).body
        .message,
    ).toMatch(/name/);
    expect(
      (await t.http().patch(`/api/v1/agents/${id}`).set(bearer(a.accessToken)).send({ metadata: null }).expect(400))
        .body.message,
    ).toMatch(/metadata/);
    const memory = (
      await t
        .http()
        .post('/api/v1/memories')
        .set(bearer(a.accessToken))
        .send({ content: 'kept as is', userId: 'u', infer: false })
        .expect(201)
    ).body.results[0].id;
    expect(
      (
        await t
          .http()
          .patch(`/api/v1/memories/${memory}`)
          .set(bearer(a.accessToken))
          .send({ content: null })
          .expect(400)
      ).body.message,
    ).toMatch(/content/);
    expect((await t.http().get(`/api/v1/agents/${id}`).set(bearer(a.accessToken)).expect(200)).body.name).toBe(
      'steady',
    );
  });

  it('keeps each organization’s agents to itself: another organization gets 404 for read, update and delete', async () => {
    const id = (await t.http().post('/api/v1/agents').set(bearer(a.accessToken)).send({ name: 'private' }).expect(201))
      .body.id;
    await t.http().get(`/api/v1/agents/${id}`).set(bearer(b.accessToken)).expect(404);
    await t.http().patch(`/api/v1/agents/${id}`).set(bearer(b.accessToken)).send({ name: 'stolen' }).expect(404);
    await t.http().delete(`/api/v1/agents/${id}`).set(bearer(b.accessToken)).expect(404);
    expect((await t.http().get('/api/v1/agents').set(bearer(b.accessToken)).expect(200)).body.data).toEqual([]);
    expect((await t.http().get(`/api/v1/agents/${id}`).set(bearer(a.accessToken)).expect(200)).body.name).toBe(
      'private',
    );
  });
});
