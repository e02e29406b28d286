import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeLlm } from './support/fake-llm.js';
import { eventually } from './support/realtime-clients.js';
import { bearer, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

// mem0ai reads MEM0_TELEMETRY when it loads (this machine has no route to its telemetry host anyway).
process.env.MEM0_TELEMETRY = 'false';
const mem0Dir = await mkdtemp(join(tmpdir(), 'agentmem-mem0-'));
process.env.MEM0_DIR = mem0Dir;
const { MemoryClient, Feedback } = await import('mem0ai');
type Client = InstanceType<typeof MemoryClient>;

interface Mem0Memory {
  id: string;
  memory: string;
  userId: string | null;
  appId: string | null;
  score?: number;
  metadata: Record<string, unknown>;
}

/**
 * Mem0's official client (`mem0ai` 3.3.1's MemoryClient), unchanged, pointed at this server by
 * its `host` with an AgentMem API key: what a Mem0 platform user's code does, and must get.
 */
describe("Mem0's MemoryClient against AgentMem", () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let owner: Registered;
  let client: Client;
  let readKey: string;

  const makeKey = async (token: string, scopes: string[]) =>
    (await t.http().post('/api/v1/api-keys').set(bearer(token)).send({ name: 'mem0', scopes }).expect(201)).body
      .key as string;
  const clientWith = (apiKey: string) => new MemoryClient({ apiKey, host: t.url });

  beforeAll(async () => {
    await llm.start();
    t = await startTestApp({
      ...llm.env,
    });
    owner = await register(t, 'Mem0 users');
    client = clientWith(await makeKey(owner.accessToken, ['read', 'write']));
    readKey = await makeKey(owner.accessToken, ['read']);
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
    await rm(mem0Dir, { recursive: true, force: true });
  });

  it('pings with the key and learns its organization', async () => {
    await client.ping();
    expect((client as unknown as { organizationId: string }).organizationId).toBe(owner.organizationId);
  });

  it('adds with infer false, then gets, lists by user and finds it by search with a numeric score', async () => {
    const added = (await client.add([{ role: 'user', content: 'Alice keeps bees on her roof in Lisbon' }], {
      userId: 'alice',
      appId: 'garden-app',
      metadata: { topic: 'hobbies' },
      infer: false,
    })) as unknown as { results: { id: string; memory: string; event: string }[] };
    expect(added.results).toEqual([
      expect.objectContaining({ event: 'ADD', memory: 'Alice keeps bees on her roof in Lisbon' }),
    ]);
    const id = added.results[0].id;
    await client.add([{ role: 'user', content: 'Alice prefers green tea in the morning' }], {
      userId: 'alice',
      infer: false,
    });

    const one = (await client.get(id)) as unknown as Mem0Memory;
    expect(one).toMatchObject({ id, memory: 'Alice keeps bees on her roof in Lisbon', userId: 'alice' });
    expect(one.appId).toBe('garden-app');
    expect(one.metadata).toEqual({ topic: 'hobbies' });

    const all = await client.getAll({ filters: { user_id: 'alice' } });
    expect(all.count).toBe(2);
    expect(all.results.map((m) => m.memory).sort()).toEqual([
      'Alice keeps bees on her roof in Lisbon',
      'Alice prefers green tea in the morning',
    ]);
    const byApp = await client.getAll({ filters: { AND: [{ user_id: 'alice' }, { app_id: 'garden-app' }] } });
    expect(byApp.results.map((m) => m.id)).toEqual([id]);
    const firstPage = await client.getAll({ filters: { user_id: 'alice' }, page: 1, pageSize: 1 });
    expect(firstPage).toMatchObject({ count: 2, previous: null });
    expect(firstPage.results).toHaveLength(1);
    expect(firstPage.next).toContain('page=2');

    const found = await client.search('Where does Alice keep bees?', { filters: { user_id: 'alice' } });
    expect(found.results[0].id).toBe(id);
    expect(typeof found.results[0].score).toBe('number');
    expect(found.results[0].score).toBeGreaterThan(0);
    const filtered = await client.search('Alice', {
      filters: { AND: [{ user_id: 'alice' }, { metadata: { topic: 'hobbies' } }] },
    });
    expect(filtered.results.map((m) => m.id)).toEqual([id]);
  });

  it('adds with inference: the fake LLM extracts a fact and the add reports it', async () => {
    llm.script = (request) => {
      const name = request.response_format?.json_schema?.name;
      if (name === 'fact_extraction') return JSON.stringify({ facts: ['Is allergic to peanuts'] });
      if (name === 'memory_reconciliation')
        return JSON.stringify({ memory: [{ event: 'ADD', text: 'Is allergic to peanuts' }] });
      return '{}';
    };
    const added = (await client.add(
      [
        { role: 'user', content: 'Careful, I am allergic to peanuts.' },
        { role: 'assistant', content: 'Noted, no peanuts.' },
      ],
      { userId: 'bob' },
    )) as unknown as { results: { memory: string; event: string }[] };
    expect(added.results).toEqual([expect.objectContaining({ event: 'ADD', memory: 'Is allergic to peanuts' })]);
    expect((await client.getAll({ filters: { user_id: 'bob' } })).results.map((m) => m.memory)).toEqual([
      'Is allergic to peanuts',
    ]);
  });

  it('updates a memory and shows both versions in its history; deletes it and then answers MemoryNotFoundError', async () => {
    const added = (await client.add([{ role: 'user', content: 'Carol lives in Porto' }], {
      userId: 'carol',
      infer: false,
    })) as unknown as { results: { id: string }[] };
    const id = added.results[0].id;
    const updated = (await client.update(id, { text: 'Carol lives in Madrid' })) as unknown as Mem0Memory;
    expect(updated).toMatchObject({ id, memory: 'Carol lives in Madrid' });

    const history = await client.history(id);
    expect(history.map((h) => [h.event, h.oldMemory, h.newMemory])).toEqual([
      ['ADD', null, 'Carol lives in Porto'],
      ['UPDATE', 'Carol lives in Porto', 'Carol lives in Madrid'],
    ]);

    expect(await client.delete(id)).toEqual({ message: expect.any(String) });
    await expect(client.get(id)).rejects.toMatchObject({ name: 'MemoryNotFoundError' });
  });

  it('sets an expiration date on add and update, and removes it with null', async () => {
    const added = (await client.add([{ role: 'user', content: 'Iris is in Rome this week' }], {
      userId: 'iris',
      infer: false,
      expirationDate: '2099-12-31',
    })) as unknown as { results: { id: string }[] };
    const id = added.results[0].id;
    expect(((await client.get(id)) as unknown as { expirationDate: string }).expirationDate).toBe(
      '2100-01-01T00:00:00.000Z',
    );
    await client.update(id, { expirationDate: '2098-06-30T12:00:00Z' });
    expect(((await client.get(id)) as unknown as { expirationDate: string }).expirationDate).toBe(
      '2098-06-30T12:00:00.000Z',
    );
    await client.update(id, { expirationDate: null });
    expect(((await client.get(id)) as unknown as { expirationDate: string | null }).expirationDate).toBeNull();
    await expect(client.update(id, { expirationDate: '2001-01-01' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('expiration_date'),
    });
  });

  it('batch-updates and batch-deletes; an unknown id in a batch changes nothing', async () => {
    const ids: string[] = [];
    for (const text of ['Dan plays chess', 'Dan plays the cello']) {
      const added = (await client.add([{ role: 'user', content: text }], {
        userId: 'dan',
        infer: false,
      })) as unknown as { results: { id: string }[] };
      ids.push(added.results[0].id);
    }
    await client.batchUpdate([
      { memoryId: ids[0], text: 'Dan plays chess on Sundays' },
      { memoryId: ids[1], text: 'Dan plays the cello badly' },
    ]);
    expect((await client.getAll({ filters: { user_id: 'dan' } })).results.map((m) => m.memory).sort()).toEqual([
      'Dan plays chess on Sundays',
      'Dan plays the cello badly',
    ]);

    const unknown = '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b';
    await expect(client.batchDelete([ids[0], unknown])).rejects.toMatchObject({ name: 'MemoryNotFoundError' });
    expect((await client.getAll({ filters: { user_id: 'dan' } })).count).toBe(2);
    // A batch update is all or nothing too: an unknown id, or two texts that would be one memory.
    await expect(
      client.batchUpdate([
        { memoryId: ids[0], text: 'Dan plays chess at night' },
        { memoryId: unknown, text: 'lost' },
      ]),
    ).rejects.toMatchObject({ name: 'MemoryNotFoundError' });
    await expect(
      client.batchUpdate([
        { memoryId: ids[0], text: 'Dan plays go' },
        { memoryId: ids[1], text: 'Dan plays go' },
      ]),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    expect((await client.getAll({ filters: { user_id: 'dan' } })).results.map((m) => m.memory).sort()).toEqual([
      'Dan plays chess on Sundays',
      'Dan plays the cello badly',
    ]);
    await client.batchDelete(ids);
    expect((await client.getAll({ filters: { user_id: 'dan' } })).count).toBe(0);
  });

  it('lists entities and deletes a user, and deleteAll empties a user', async () => {
    await client.add([{ role: 'user', content: 'Erin runs marathons' }], { userId: 'erin', infer: false });
    await client.add([{ role: 'user', content: 'Frank paints' }], { userId: 'frank', infer: false });
    const users = await client.users();
    expect(users.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'erin', type: 'user', totalMemories: 1 }),
        expect.objectContaining({ name: 'frank', type: 'user', totalMemories: 1 }),
      ]),
    );
    await client.deleteUsers({ userId: 'erin' });
    expect((await client.getAll({ filters: { user_id: 'erin' } })).count).toBe(0);

    expect(await client.deleteAll({ userId: 'frank' })).toEqual({ message: expect.any(String) });
    expect((await client.getAll({ filters: { user_id: 'frank' } })).count).toBe(0);
  });

  it('narrows search and getAll by categories, and takes a numeric reference date', async () => {
    for (const [content, categories] of [
      ['Jin cooks ramen', ['food']],
      ['Jin flies to Seoul in May', ['travel']],
      ['Jin reads novels', ['hobbies']],
    ] as const)
      await client.add([{ role: 'user', content }], { userId: 'jin', infer: false, metadata: { categories } });
    const found = await client.search('Jin', { filters: { user_id: 'jin' }, categories: ['food', 'travel'] });
    expect(found.results.map((m) => m.memory).sort()).toEqual(['Jin cooks ramen', 'Jin flies to Seoul in May']);
    expect(found.results[0].categories).toEqual(expect.any(Array));
    const listed = await client.getAll({ filters: { user_id: 'jin' }, categories: ['hobbies'] });
    expect(listed.results.map((m) => m.memory)).toEqual(['Jin reads novels']);
    const dated = await client.search('Jin', { filters: { user_id: 'jin' }, referenceDate: 1_767_225_600 });
    expect(dated.results).toHaveLength(3);
  });

  it('refuses what it cannot do with a 400 naming it: app_id as a scope to delete, pages too deep, Token with a JWT', async () => {
    await expect(client.deleteAll({ appId: 'garden-app' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('app_id'),
    });
    await expect(client.deleteUsers({ appId: 'garden-app' })).rejects.toThrow(/app_id is metadata here/);
    await expect(client.getAll({ filters: { user_id: 'alice' }, page: 1001, pageSize: 100 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('page'),
    });
    const jwt = await t
      .http()
      .get('/v1/ping/')
      .set({ Authorization: `Token ${owner.accessToken}` });
    expect(jwt.status).toBe(401);
    expect(jwt.body.message).toMatch(/Token takes an API key/);
    // Alice's memories are as they were.
    expect((await client.getAll({ filters: { user_id: 'alice' } })).count).toBe(2);
  });

  it('takes feedback on a memory', async () => {
    const added = (await client.add([{ role: 'user', content: 'Gina likes jazz' }], {
      userId: 'gina',
      infer: false,
    })) as unknown as { results: { id: string }[] };
    const id = added.results[0].id;
    await client.feedback({ memoryId: id, feedback: Feedback.POSITIVE, feedbackReason: 'spot on' });
    const stored = (await t.http().get(`/api/v1/memories/${id}`).set(bearer(owner.accessToken)).expect(200)).body;
    expect(stored.importance).toBeCloseTo(0.6);
  });

  it('refuses a wrong or missing key with the client’s own AuthenticationError, and a read key’s writes', async () => {
    await expect(clientWith('am_not-a-real-key').getAll({ filters: { user_id: 'alice' } })).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
    const res = await t
      .http()
      .post('/v3/memories/')
      .send({ filters: { user_id: 'alice' } });
    expect(res.status).toBe(401);

    const reader = clientWith(readKey);
    expect((await reader.getAll({ filters: { user_id: 'alice' } })).count).toBe(2);
    await expect(
      reader.add([{ role: 'user', content: 'written by a reader' }], { userId: 'alice', infer: false }),
    ).rejects.toMatchObject({ name: 'AuthenticationError' });
  });

  it('shows another user nothing of alice, and another organization nothing at all', async () => {
    expect((await client.getAll({ filters: { user_id: 'mallory' } })).count).toBe(0);
    expect((await client.search('bees', { filters: { user_id: 'mallory' } })).results).toEqual([]);

    const other = await register(t, 'Other org');
    const stranger = clientWith(await makeKey(other.accessToken, ['read', 'write']));
    const alices = await client.getAll({ filters: { user_id: 'alice' } });
    const id = alices.results[0].id;
    expect((await stranger.getAll({ filters: { user_id: 'alice' } })).count).toBe(0);
    expect((await stranger.search('bees', { filters: { user_id: 'alice' } })).results).toEqual([]);
    await expect(stranger.get(id)).rejects.toMatchObject({ name: 'MemoryNotFoundError' });
    await expect(stranger.update(id, { text: 'stolen' })).rejects.toMatchObject({ name: 'MemoryNotFoundError' });
    await expect(stranger.delete(id)).rejects.toMatchObject({ name: 'MemoryNotFoundError' });
    await expect(stranger.batchDelete([id])).rejects.toMatchObject({ name: 'MemoryNotFoundError' });
    expect((await stranger.users()).results).toEqual([]);
    await stranger.deleteUsers({ userId: 'alice' });
    // alice's memories are as they were.
    expect((await client.getAll({ filters: { user_id: 'alice' } })).count).toBe(2);
    expect(((await client.get(id)) as unknown as Mem0Memory).memory).toBe(alices.results[0].memory);
  });

  it('answers a bad filter with a ValidationError naming it, not a server error', async () => {
    await expect(client.getAll({ filters: { AND: [{ colour: 'red' }] } })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('filters.AND.0.colour'),
    });
    await expect(client.add([{ role: 'user', content: 'no scope' }], { infer: false })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('user_id, agent_id or run_id'),
    });
  });

  it('queues an add with async_mode and reports it as an event', async () => {
    const queued = (await client.add([{ role: 'user', content: 'Hana speaks Japanese' }], {
      userId: 'hana',
      infer: false,
      async_mode: true,
    })) as unknown as { status: string; eventId: string };
    expect(queued.status).toBe('PENDING');
    let event: { status: string; results: { memory: string }[] } = { status: 'PENDING', results: [] };
    await eventually(
      async () => {
        event = (
          await t
            .http()
            .get(`/v1/event/${queued.eventId}/`)
            .set({ Authorization: `Token ${readKey}` })
        ).body;
        return event.status === 'SUCCEEDED' || event.status === 'FAILED';
      },
      30_000,
      `event ${queued.eventId} finished`,
    );
    expect(event).toMatchObject({ status: 'SUCCEEDED', results: [{ memory: 'Hana speaks Japanese' }] });
  });
});
