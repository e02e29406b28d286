import { DataSource } from 'typeorm';
import { EventBus } from '../src/common/events/event-bus.js';
import { TableMaintenance, PASS_LOCK } from '../src/database/table-maintenance.js';
import { MemoryIndex } from '../src/memory/search/memory-index.js';
import { eventually } from './support/realtime-clients.js';
import type { DomainEvent } from '../src/common/events/event-bus.js';
import { bearer, expectErrorShape, onPostgres, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

describe('memories (infer=false, no LLM)', () => {
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  const asA = () => bearer(a.accessToken);

  beforeAll(async () => {
    t = await startTestApp();
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
  });
  afterAll(async () => {
    await t?.close();
  });

  const add = (body: Record<string, unknown>, auth = asA()) => t.http().post('/api/v1/memories').set(auth).send(body);
  const search = (body: Record<string, unknown>, auth = asA()) =>
    t.http().post('/api/v1/memories/search').set(auth).send(body);

  it('adds, lists, gets, updates, keeps history, deletes, and then search no longer finds it', async () => {
    const added = await add({
      content: 'Alice is allergic to peanuts',
      userId: 'alice',
      infer: false,
      metadata: { topic: 'health' },
    }).expect(201);
    expect(added.body).toMatchObject({
      inferred: false,
      results: [{ event: 'ADD', memory: 'Alice is allergic to peanuts' }],
    });
    const id: string = added.body.results[0].id;

    const list = await t.http().get('/api/v1/memories').query({ userId: 'alice' }).set(asA()).expect(200);
    expect(list.body.data.map((m: { id: string }) => m.id)).toEqual([id]);
    const got = await t.http().get(`/api/v1/memories/${id}`).set(asA()).expect(200);
    expect(got.body).toMatchObject({
      id,
      memory: 'Alice is allergic to peanuts',
      userId: 'alice',
      type: 'episodic',
      metadata: { topic: 'health' },
      importance: 0.5,
    });

    const updated = await t
      .http()
      .patch(`/api/v1/memories/${id}`)
      .set(asA())
      .send({ content: 'Alice is allergic to peanuts and shellfish', importance: 0.9 })
      .expect(200);
    expect(updated.body).toMatchObject({
      memory: 'Alice is allergic to peanuts and shellfish',
      importance: expect.closeTo(0.9, 5),
    });

    const found = await search({ query: 'shellfish allergy', userId: 'alice' }).expect(200);
    expect(found.body.results.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(found.body.results[0].retrievers).toContain('text');

    // An expiry may be set in the future, never in the past, never null over REST.
    const expiring = await t
      .http()
      .patch(`/api/v1/memories/${id}`)
      .set(asA())
      .send({ expiresAt: '2099-01-01T00:00:00Z' })
      .expect(200);
    expect(expiring.body.expiresAt).toBe('2099-01-01T00:00:00.000Z');
    for (const expiresAt of ['2001-01-01T00:00:00Z', null]) {
      const refused = await t.http().patch(`/api/v1/memories/${id}`).set(asA()).send({ expiresAt }).expect(400);
      expect(refused.body.message).toMatch(/expiresAt/);
    }

    await t.http().delete(`/api/v1/memories/${id}`).set(asA()).expect(204);
    const history = await t.http().get(`/api/v1/memories/${id}/history`).set(asA()).expect(200);
    expect(history.body.data.map((h: { event: string }) => h.event)).toEqual(['ADD', 'UPDATE', 'UPDATE', 'DELETE']);
    expect(history.body.data[1]).toMatchObject({
      oldContent: 'Alice is allergic to peanuts',
      newContent: 'Alice is allergic to peanuts and shellfish',
      actor: `user:${a.userId}`,
    });

    const after = (await search({ query: 'shellfish allergy', userId: 'alice' }).expect(200)).body.results as {
      id: string;
    }[];
    expect(after.map((r) => r.id)).not.toContain(id);
    await t.http().get(`/api/v1/memories/${id}`).set(asA()).expect(404);
    await t.http().patch(`/api/v1/memories/${id}`).set(asA()).send({ content: 'back' }).expect(404);
  });

  it("keeps organization B out of organization A's memories: 404 on every verb, nothing in lists or search", async () => {
    const added = await add({ content: 'The vault code is 4711', userId: 'shared-name', infer: false }).expect(201);
    const id: string = added.body.results[0].id;
    const asB = bearer(b.accessToken);
    await t.http().get(`/api/v1/memories/${id}`).set(asB).expect(404);
    await t.http().get(`/api/v1/memories/${id}/history`).set(asB).expect(404);
    await t.http().patch(`/api/v1/memories/${id}`).set(asB).send({ content: 'overwritten' }).expect(404);
    await t.http().delete(`/api/v1/memories/${id}`).set(asB).expect(404);
    expect(
      (await t.http().get('/api/v1/memories').query({ userId: 'shared-name' }).set(asB).expect(200)).body.data,
    ).toEqual([]);
    expect((await search({ query: 'vault code', userId: 'shared-name' }, asB).expect(200)).body.results).toEqual([]);
    expect(
      (await search({ query: 'vault code', filters: { userId: 'shared-name' } }, asB).expect(200)).body.results,
    ).toEqual([]);
    expect(
      (await t.http().delete('/api/v1/memories').query({ userId: 'shared-name' }).set(asB).expect(200)).body,
    ).toEqual({ deleted: 0 });
    // A's memory is untouched.
    const still = await t.http().get(`/api/v1/memories/${id}`).set(asA()).expect(200);
    expect(still.body.memory).toBe('The vault code is 4711');
  });

  it('answers a duplicate in the same scope with NONE, and stores it again in another scope', async () => {
    const first = await add({ content: 'Bob likes  green tea', userId: 'bob', infer: false }).expect(201);
    const again = await add({ content: '  bob LIKES green tea ', userId: 'bob', infer: false }).expect(201);
    expect(again.body.results[0]).toMatchObject({ event: 'NONE', id: first.body.results[0].id });
    const other = await add({ content: 'Bob likes green tea', userId: 'bob', agentId: 'barista', infer: false }).expect(
      201,
    );
    expect(other.body.results[0].event).toBe('ADD');
    // Twenty concurrent copies still make one memory.
    const copies = await Promise.all(
      Array.from({ length: 20 }, () => add({ content: 'Bob owns a bike', userId: 'bob', infer: false })),
    );
    expect(new Set(copies.map((r) => r.body.results[0].id)).size).toBe(1);
    expect(copies.filter((r) => r.body.results[0].event === 'ADD')).toHaveLength(1);
  });

  it('stores each user and assistant message of a conversation, and says when it could not infer', async () => {
    const res = await add({
      userId: 'carol',
      messages: [
        { role: 'system', content: 'You are helpful' },
        { role: 'user', content: 'I just adopted a cat named Miso' },
        { role: 'assistant', content: 'Congratulations on adopting Miso!' },
      ],
    }).expect(201);
    expect(res.body.inferred).toBe(false);
    expect(res.body.note).toContain('LLM_PROVIDER');
    expect(res.body.results.map((r: { memory: string }) => r.memory)).toEqual([
      'I just adopted a cat named Miso',
      'Congratulations on adopting Miso!',
    ]);
  });

  it('stores texts and metadata exactly as sent, whatever characters the one-array-per-column add carries', async () => {
    // Each column of an add travels as a PostgreSQL array literal: quotes, backslashes, braces,
    // commas, the word NULL, empty-looking and non-ASCII texts must all come back unchanged.
    const texts = [
      'He said "hi", then left',
      'C:\\path\\to\\file and \\"escaped\\"',
      '{braces}, [brackets] and a, comma',
      'NULL',
      ' leading and trailing ',
      'Émilie 東京 🚀 naïve',
    ];
    const metadata = { quote: 'a "b" \\ c', braces: '{x}', nested: { list: [1, null, 'NULL'] } };
    const sent = await add({
      userId: 'dana',
      runId: 'tricky',
      infer: false,
      metadata,
      messages: texts.map((content) => ({ role: 'user', content })),
    }).expect(201);
    expect(sent.body.results.map((r: { memory: string }) => r.memory)).toEqual(texts);
    for (const r of sent.body.results as { id: string; memory: string }[]) {
      const got = await t.http().get(`/api/v1/memories/${r.id}`).set(asA()).expect(200);
      expect(got.body).toMatchObject({ memory: r.memory, metadata, userId: 'dana', runId: 'tricky' });
    }
    // The same batch again, one by one, in another run: each a statement of its own (the prepared one), all stored.
    for (const content of texts) await add({ userId: 'dana', runId: 'tricky-2', infer: false, content }).expect(201);
    const listed = await t
      .http()
      .get('/api/v1/memories')
      .query({ userId: 'dana', runId: 'tricky-2' })
      .set(asA())
      .expect(200);
    expect(listed.body.data.map((m: { memory: string }) => m.memory).sort()).toEqual([...texts].sort());
  });

  it('refuses adds without a scope, with both or neither of content and messages, and bad fields', async () => {
    const noScope = await add({ content: 'x', infer: false }).expect(400);
    expectErrorShape(noScope.body, 400);
    expect(noScope.body.message).toContain('userId');
    expect(
      (await add({ content: 'x', messages: [{ role: 'user', content: 'y' }], userId: 'u' }).expect(400)).body.message,
    ).toContain('content');
    await add({ userId: 'u' }).expect(400);
    expect((await add({ content: 'x', userId: 'u', type: 'dream' }).expect(400)).body.message).toContain('type');
    expect(
      (await add({ messages: [{ role: 'wizard', content: 'y' }], userId: 'u' }).expect(400)).body.message,
    ).toContain('messages.0.role');
    expect((await add({ content: 'x', userId: ' padded ' }).expect(400)).body.message).toContain('userId');
    expect((await add({ content: 'x', userId: 'u', importance: 2 }).expect(400)).body.message).toContain('importance');
    expect((await add({ content: 'x', userId: 'u', metadata: 'nope' }).expect(400)).body.message).toContain('metadata');
    expect(
      (await add({ content: 'x', userId: 'u', expiresAt: '2001-01-01T00:00:00Z' }).expect(400)).body.message,
    ).toContain('expiresAt');
    const count = (await t.http().get('/api/v1/memories').query({ userId: 'u' }).set(asA()).expect(200)).body.data
      .length;
    expect(count).toBe(0);
  });

  it('hides working memories once they expire, from get, list and search', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const res = await add({
      content: 'Currently debugging the payment flow',
      userId: 'dave',
      type: 'working',
      expiresAt: soon,
      infer: false,
    }).expect(201);
    const id = res.body.results[0].id;
    const ttl = await add({ content: 'Scratch note', userId: 'dave', type: 'working', infer: false }).expect(201);
    const withTtl = await t.http().get(`/api/v1/memories/${ttl.body.results[0].id}`).set(asA()).expect(200);
    expect(Date.parse(withTtl.body.expiresAt) - Date.now()).toBeGreaterThan(86_000_000);
    await t.http().get(`/api/v1/memories/${id}`).set(asA()).expect(200);
    // Waiting for a clock, not an event.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(soon) - Date.now()) + 100));
    await t.http().get(`/api/v1/memories/${id}`).set(asA()).expect(404);
    const list = await t.http().get('/api/v1/memories').query({ userId: 'dave' }).set(asA()).expect(200);
    expect(list.body.data.map((m: { id: string }) => m.id)).not.toContain(id);
    const hits = (await search({ query: 'payment flow', userId: 'dave' }).expect(200)).body.results as { id: string }[];
    expect(hits.map((r) => r.id)).not.toContain(id);
  });

  it('deletes a whole scope in bulk, with history, and refuses a bulk delete without scope', async () => {
    for (const content of ['Erin runs marathons', 'Erin lives in Oslo', 'Erin has two sisters'])
      await add({ content, userId: 'erin', infer: false }).expect(201);
    await add({ content: 'Frank lives in Rome', userId: 'frank', infer: false }).expect(201);
    await t.http().delete('/api/v1/memories').set(asA()).expect(400);
    expect((await t.http().delete('/api/v1/memories').query({ userId: 'erin' }).set(asA()).expect(200)).body).toEqual({
      deleted: 3,
    });
    expect((await t.http().get('/api/v1/memories').query({ userId: 'erin' }).set(asA()).expect(200)).body.data).toEqual(
      [],
    );
    expect(
      (await t.http().get('/api/v1/memories').query({ userId: 'frank' }).set(asA()).expect(200)).body.data,
    ).toHaveLength(1);
  });

  it('lists oldest first by default and newest first with order=desc, the cursor going on in that order', async () => {
    for (const content of ['Hana one', 'Hana two', 'Hana three'])
      await add({ content, userId: 'hana', infer: false }).expect(201);
    const page = (query: Record<string, string | number>) =>
      t
        .http()
        .get('/api/v1/memories')
        .query({ userId: 'hana', ...query })
        .set(asA());
    const texts = (res: { body: { data: { memory: string }[] } }) => res.body.data.map((m) => m.memory);
    expect(texts(await page({}).expect(200))).toEqual(['Hana one', 'Hana two', 'Hana three']);
    const first = await page({ order: 'desc', limit: 2 }).expect(200);
    expect(texts(first)).toEqual(['Hana three', 'Hana two']);
    const rest = await page({ order: 'desc', limit: 2, cursor: first.body.nextCursor }).expect(200);
    expect(texts(rest)).toEqual(['Hana one']);
    expect(rest.body.nextCursor).toBeNull();
    const refused = await page({ order: 'newest' }).expect(400);
    expect(refused.body.message).toMatch(/order/);
  });

  it("lists the scopes memories belong to, with their counts, for the caller's organization only", async () => {
    const c = await register(t, 'Org Scopes');
    const asC = bearer(c.accessToken);
    await add({ content: 'Gina likes jazz', userId: 'gina', agentId: 'dj-bot', infer: false }, asC).expect(201);
    await add({ content: 'Gina plays the cello', userId: 'gina', infer: false }, asC).expect(201);
    await add({ content: 'Night shift notes', runId: 'shift-7', infer: false }, asC).expect(201);
    const scopes = await t.http().get('/api/v1/memories/scopes').set(asC).expect(200);
    expect(scopes.body.total).toBe(3);
    expect(scopes.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'user', id: 'gina', memories: 2 }),
        expect.objectContaining({ type: 'agent', id: 'dj-bot', memories: 1 }),
        expect.objectContaining({ type: 'run', id: 'shift-7', memories: 1 }),
      ]),
    );
    const one = await t.http().get('/api/v1/memories/scopes').query({ limit: 1 }).set(asC).expect(200);
    expect(one.body).toMatchObject({ total: 3, data: [expect.objectContaining({ type: expect.any(String) })] });
    expect(one.body.data).toHaveLength(1);
    const others = await t.http().get('/api/v1/memories/scopes').set(asA()).expect(200);
    expect(others.body.data.map((s: { id: string }) => s.id)).not.toContain('gina');
    const refused = await t.http().get('/api/v1/memories/scopes').query({ limit: 0 }).set(asC).expect(400);
    expect(refused.body.message).toMatch(/limit/);
  });

  it('publishes memory.created, memory.updated and memory.deleted after each change, for the organization', async () => {
    const seen: DomainEvent[] = [];
    const unsubscribe = t.app.get(EventBus).subscribe((e) => {
      seen.push(e);
    });
    try {
      const added = await add({ content: 'Iris paints watercolours', userId: 'iris', infer: false }).expect(201);
      const id = added.body.results[0].id;
      await add({ content: 'Iris paints watercolours', userId: 'iris', infer: false }).expect(201); // NONE: no event
      await t.http().patch(`/api/v1/memories/${id}`).set(asA()).send({ content: 'Iris paints oils' }).expect(200);
      await t.http().delete(`/api/v1/memories/${id}`).set(asA()).expect(204);
      await t.http().patch(`/api/v1/memories/${id}`).set(asA()).send({ content: 'gone' }).expect(404); // failed: no event
      await new Promise((r) => setImmediate(r));
      expect(seen.map((e) => [e.name, e.organizationId, (e.payload as { memoryId: string }).memoryId])).toEqual([
        ['memory.created', a.organizationId, id],
        ['memory.updated', a.organizationId, id],
        ['memory.deleted', a.organizationId, id],
      ]);
      expect(seen[0].payload).toMatchObject({ userId: 'iris', actor: `user:${a.userId}` });
    } finally {
      unsubscribe();
    }
  });

  it('stores no vectors with the lexical embedder by default: vector mode answers 503 saying why, hybrid is full text', async () => {
    await add({ content: 'Quinn restores old sailing boats', userId: 'quinn', infer: false }).expect(201);
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info.storage).toMatchObject({
      vectorSearch: 'off',
      vectorIndex: 'none',
      vectorSearchReason: expect.stringContaining('VECTOR_SEARCH'),
    });
    const vector = await search({ query: 'sailing boats', userId: 'quinn', mode: 'vector' }).expect(503);
    expect(vector.body).toMatchObject({
      code: 'VECTOR_UNAVAILABLE',
      message: expect.stringContaining('VECTOR_SEARCH=auto'),
    });
    const hybrid = (await search({ query: 'sailing boats', userId: 'quinn', mode: 'hybrid' }).expect(200)).body.results;
    expect(hybrid.map((r: { memory: string; retrievers: string[] }) => [r.memory, r.retrievers])).toEqual([
      ['Quinn restores old sailing boats', ['text']],
    ]);
  });

  (onPostgres ? it.skip : it)(
    'runs a get as a statement prepared once on the one embedded connection, not parsed again per request',
    async () => {
      const id: string = (await add({ content: 'Pia keeps bees on the roof', userId: 'pia', infer: false }).expect(201))
        .body.results[0].id;
      for (let i = 0; i < 3; i++) await t.http().get(`/api/v1/memories/${id}`).set(asA()).expect(200);
      const prepared: { name: string }[] = await t.app
        .get(DataSource)
        .query(
          `SELECT name FROM pg_prepared_statements WHERE statement LIKE 'SELECT m.id, m.organization_id%' AND statement LIKE '%AND m.id = $2'`,
        );
      expect(prepared).toHaveLength(1);
      expect(prepared[0].name).toMatch(/^am_/);
    },
  );

  (onPostgres ? it.skip : it)(
    'plans a search once on the embedded connection, and names no statement of a filter the caller shaped',
    async () => {
      await add({ content: 'Rosa grows saffron on her balcony', userId: 'rosa', infer: false }).expect(201);
      const searches = () =>
        // The hits' rows of an unfiltered search (answered from the in-process index), and the search statement.
        t.app
          .get(DataSource)
          .query<{ name: string; generic: number; custom: number }[]>(
            `SELECT name, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement LIKE '%AS vector_exact FROM memories%' OR statement LIKE 'WITH terms AS MATERIALIZED%'`,
          );
      // The scope's first search runs the statement while the search index reads the scope.
      await search({ query: 'saffron', userId: 'rosa', mode: 'text' }).expect(200);
      await eventually(() => !t.app.get(MemoryIndex).reading, 5000, 'the scope read into the index');
      const before = new Map((await searches()).map((s) => [s.name, s.generic]));
      for (const query of ['saffron', 'Where does Rosa grow saffron?', 'balcony plants', 'Rosa']) {
        const hits = (await search({ query, userId: 'rosa', mode: 'text' }).expect(200)).body.results;
        expect(hits.map((h: { memory: string }) => h.memory)).toEqual(['Rosa grows saffron on her balcony']);
      }
      // Four different queries, one statement: run four more times on its generic plan, never planned for the values.
      const named = await searches();
      const used = named.filter((s) => s.generic !== (before.get(s.name) ?? 0));
      expect(used).toHaveLength(1);
      expect(used[0]).toMatchObject({
        name: expect.stringMatching(/^am_/),
        custom: 0,
        generic: (before.get(used[0].name) ?? 0) + 4,
      });
      // Filters of ever new shapes run unnamed: a client cannot fill the connection's prepared statements with them.
      for (let i = 0; i < 5; i++) {
        await search({
          query: 'saffron',
          userId: 'rosa',
          mode: 'text',
          filters: { AND: Array.from({ length: i + 1 }, (_, k) => ({ [`k${k}`]: { ne: 'x' } })) },
        }).expect(200);
      }
      expect(await searches()).toHaveLength(named.length);
    },
  );

  (onPostgres ? it.skip : it)(
    'analyzes a grown table on the embedded database, which has no autovacuum of its own',
    async () => {
      const analyzedAt = async () => {
        const rows: { at: Date | null }[] = await t.app
          .get(DataSource)
          .query(`SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'memories'`);
        return rows[0].at;
      };
      const before = await analyzedAt();
      for (let i = 0; i < 5; i++) {
        const messages = Array.from({ length: 200 }, (_, k) => ({ role: 'user', content: `bulk note ${i * 200 + k}` }));
        await add({ messages, userId: 'bulk', infer: false }).expect(201);
      }
      await t.app.get(TableMaintenance).check();
      const after = await analyzedAt();
      expect(after).not.toBeNull();
      expect(after).not.toEqual(before);
    },
  );

  (onPostgres ? it : it.skip)(
    'on a PostgreSQL server, analyzes a grown table in a pass that one process at a time runs (for servers with autovacuum off)',
    async () => {
      const db = t.app.get(DataSource);
      const table = `maintenance_probe_${Date.now()}`;
      await db.query(`CREATE TABLE ${table} (n int)`);
      const other = db.createQueryRunner();
      try {
        await db.query(`INSERT INTO ${table} SELECT generate_series(1, 2000)`);
        await db.query(`SELECT pg_stat_force_next_flush()`);
        const analyzedAt = async () =>
          (
            await db.query<{ at: Date | null }[]>(
              `SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = $1`,
              [table],
            )
          )[0]?.at ?? null;
        // Another process (here: another connection) holds the installation's lock: this pass skips.
        await other.connect();
        await other.query(`SELECT pg_advisory_lock($1)`, [PASS_LOCK]);
        await t.app.get(TableMaintenance).check();
        expect(await analyzedAt()).toBeNull();
        await other.query(`SELECT pg_advisory_unlock($1)`, [PASS_LOCK]);
        await t.app.get(TableMaintenance).check();
        expect(await analyzedAt()).not.toBeNull();
      } finally {
        await other.release();
        await db.query(`DROP TABLE ${table}`);
      }
    },
  );

  it('lets viewers read and search but not write memories', async () => {
    const key = await t
      .http()
      .post('/api/v1/api-keys')
      .set(asA())
      .send({ name: 'reader', scopes: ['read'] })
      .expect(201);
    const reader = bearer(key.body.key);
    await add({ content: 'nope', userId: 'x', infer: false }, reader).expect(403);
    await search({ query: 'anything', userId: 'alice' }, reader).expect(200);
    await t.http().get('/api/v1/memories').set(reader).expect(200);
  });
});

describe('search', () => {
  let t: TestApp;
  let owner: Registered;
  const auth = () => bearer(owner.accessToken);
  const search = (body: Record<string, unknown>) => t.http().post('/api/v1/search').set(auth()).send(body);
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Independent facts, not turns of a conversation: no session neighbours (tested below).
    // Vectors on (the lexical embedder's are off by default) so that every mode can be searched.
    t = await startTestApp({ MEMORY_SESSION_GAP_MINUTES: '0', VECTOR_SEARCH: 'on' });
    owner = await register(t);
    const rows: [string, string, Record<string, unknown>][] = [
      [
        'paris',
        'Grace moved to Paris for a job at a bakery',
        { city: 'Paris', year: 2021, tags: ['move', 'work'], mood: 'happy', address: { country: 'FR' } },
      ],
      [
        'berlin',
        'Grace visited Berlin and loved the museums',
        { city: 'Berlin', year: 2023, tags: ['travel'], mood: 'happy', address: { country: 'DE' } },
      ],
      [
        'tokyo',
        'Grace plans a trip to Tokyo next spring',
        { city: 'Tokyo', year: 2025, tags: ['travel', 'plan'], mood: 'excited', address: { country: 'JP' } },
      ],
      ['dog', 'Grace adopted a rescue dog called Pepper', { year: 2022, tags: ['pet'], mood: 'happy' }],
    ];
    for (const [key, content, metadata] of rows) {
      const res = await t
        .http()
        .post('/api/v1/memories')
        .set(auth())
        .send({ content, userId: 'grace', metadata, infer: false })
        .expect(201);
      ids[key] = res.body.results[0].id;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const found = async (body: Record<string, unknown>) =>
    (
      (await search({ query: 'Grace', userId: 'grace', limit: 10, ...body }).expect(200)).body.results as {
        id: string;
      }[]
    )
      .map((r) => r.id)
      .sort();
  const idsOf = (...keys: string[]) => keys.map((k) => ids[k]).sort();

  it('finds by words in every mode and says which retrievers found each hit', async () => {
    for (const mode of ['hybrid', 'text', 'vector']) {
      const res = await search({ query: 'trip to Tokyo', userId: 'grace', mode }).expect(200);
      expect(res.body.mode).toBe(mode);
      expect(res.body.results[0].id).toBe(ids.tokyo);
      expect(res.body.results[0].score).toBeGreaterThan(0);
    }
    // With the built-in lexical embedder the default is full text (its vectors only lower recall).
    expect((await search({ query: 'trip to Tokyo', userId: 'grace' }).expect(200)).body.mode).toBe('text');
    const hybrid = await search({ query: 'trip to Tokyo', userId: 'grace', mode: 'hybrid' }).expect(200);
    expect(hybrid.body.mode).toBe('hybrid');
    expect(hybrid.body.results[0].retrievers.sort()).toEqual(['text', 'vector']);
    expect(hybrid.body.results[0].scores).toEqual({ text: expect.any(Number), vector: expect.any(Number) });
    expect(hybrid.body.results[0].score).toBeCloseTo(1, 5);
  });

  it('treats a question as any of its words, and quotes and -word as web-search syntax', async () => {
    expect(
      (await search({ query: 'Where did Grace find her dog?', userId: 'grace', mode: 'text' }).expect(200)).body
        .results[0].id,
    ).toBe(ids.dog);
    const phrase = await search({ query: '"rescue dog" -Paris', userId: 'grace', mode: 'text' }).expect(200);
    expect(phrase.body.results.map((r: { id: string }) => r.id)).toEqual([ids.dog]);
  });

  it('applies every filter operator, on metadata and on fields, inside the retrievers', async () => {
    expect(await found({ filters: { city: 'Paris' } })).toEqual(idsOf('paris'));
    expect(await found({ filters: { city: { eq: 'Berlin' } } })).toEqual(idsOf('berlin'));
    expect(await found({ filters: { mood: { ne: 'happy' } } })).toEqual(idsOf('tokyo'));
    expect(await found({ filters: { city: { in: ['Paris', 'Tokyo'] } } })).toEqual(idsOf('paris', 'tokyo'));
    expect(await found({ filters: { city: { nin: ['Paris', 'Tokyo'] } } })).toEqual(idsOf('berlin', 'dog'));
    expect(await found({ filters: { year: { gt: 2022 } } })).toEqual(idsOf('berlin', 'tokyo'));
    expect(await found({ filters: { year: { gte: 2022 } } })).toEqual(idsOf('berlin', 'tokyo', 'dog'));
    expect(await found({ filters: { year: { lt: 2022 } } })).toEqual(idsOf('paris'));
    expect(await found({ filters: { year: { lte: 2022, gte: 2021 } } })).toEqual(idsOf('paris', 'dog'));
    expect(await found({ filters: { tags: { contains: 'travel' } } })).toEqual(idsOf('berlin', 'tokyo'));
    expect(await found({ filters: { city: { contains: 'ky' } } })).toEqual(idsOf('tokyo'));
    expect(await found({ filters: { 'address.country': 'DE' } })).toEqual(idsOf('berlin'));
    expect(await found({ filters: { content: { contains: 'museum' } } })).toEqual(idsOf('berlin'));
    expect(
      await found({
        filters: { AND: [{ mood: 'happy' }, { OR: [{ city: 'Paris' }, { tags: { contains: 'pet' } }] }] },
      }),
    ).toEqual(idsOf('paris', 'dog'));
    expect(await found({ filters: { NOT: { tags: { contains: 'travel' } } } })).toEqual(idsOf('paris', 'dog'));
    expect(await found({ filters: { NOT: { OR: [{ city: 'Paris' }, { city: 'Berlin' }] }, mood: 'happy' } })).toEqual(
      idsOf('dog'),
    );
  });

  it('filters on createdAt', async () => {
    const created = (await t.http().get(`/api/v1/memories/${ids.tokyo}`).set(auth()).expect(200)).body
      .createdAt as string;
    expect(await found({ filters: { createdAt: { gte: created } } })).toEqual(
      idsOf('tokyo', 'dog').filter((id) => id >= ids.tokyo),
    );
    expect(await found({ filters: { createdAt: { lt: '2000-01-01T00:00:00Z' } } })).toEqual([]);
    expect(
      await found({
        filters: {
          AND: [
            { createdAt: { gt: '2000-01-01T00:00:00Z' } },
            { createdAt: { lte: new Date(Date.now() + 60_000).toISOString() } },
          ],
        },
      }),
    ).toEqual(idsOf('paris', 'berlin', 'tokyo', 'dog'));
  });

  it('answers bad filters with 400 naming the operator or field, and injection attempts find nothing', async () => {
    const unknown = await search({ query: 'Grace', filters: { AND: [{ createdAt: { after: '2020-01-01' } }] } }).expect(
      400,
    );
    expectErrorShape(unknown.body, 400);
    expect(unknown.body.code).toBe('INVALID_FILTER');
    expect(unknown.body.message).toContain("filters.AND.0.createdAt: unknown operator 'after'");
    expect((await search({ query: 'Grace', filters: { year: { gt: [1] } } }).expect(400)).body.message).toContain(
      'filters.year.gt',
    );
    expect(
      (await search({ query: 'Grace', filters: { createdAt: { gt: 'yesterday' } } }).expect(400)).body.message,
    ).toContain('ISO 8601');
    expect((await search({ query: 'Grace', filters: { "x') OR 1=1 --": 'a' } }).expect(400)).body.message).toContain(
      'not a valid field',
    );
    expect((await search({ query: 'Grace', filters: { OR: [] } }).expect(400)).body.message).toContain('filters.OR');
    expect(await found({ filters: { city: "Paris' OR '1'='1" } })).toEqual([]);
    expect(
      (await search({ query: "'; DROP TABLE memories; --", userId: 'grace' }).expect(200)).body.results,
    ).toBeDefined();
    expect(await found({})).toHaveLength(4);
  });

  it('refuses an empty query, a bad limit and a bad mode', async () => {
    expect((await search({ query: '   ' }).expect(400)).body.message).toContain('query');
    expect((await search({ query: 'x', limit: 101 }).expect(400)).body.message).toContain('limit');
    expect((await search({ query: 'x', mode: 'psychic' }).expect(400)).body.message).toContain('mode');
    const rerank = await search({ query: 'Grace', userId: 'grace', rerank: true }).expect(503);
    expect(rerank.body).toMatchObject({ code: 'LLM_NOT_CONFIGURED', message: expect.stringContaining('LLM_PROVIDER') });
  });

  it('drops results under the threshold and counts each retrieval', async () => {
    // Earlier searches' counts are written within a second (off the request path): let them land.
    await new Promise((r) => setTimeout(r, 1500));
    const before = (await t.http().get(`/api/v1/memories/${ids.berlin}`).set(auth()).expect(200)).body
      .accessCount as number;
    const all = (await search({ query: 'Grace Berlin museums', userId: 'grace' }).expect(200)).body.results as {
      id: string;
      score: number;
    }[];
    expect(all.length).toBeGreaterThan(1);
    const strict = (
      await search({ query: 'Grace Berlin museums', userId: 'grace', threshold: all[0].score }).expect(200)
    ).body.results as { id: string }[];
    expect(strict.map((r) => r.id)).toEqual([all[0].id]);
    // Counted off the request path: written within about a second, summed.
    let memory = await t.http().get(`/api/v1/memories/${ids.berlin}`).set(auth()).expect(200);
    for (let wait = 0; memory.body.accessCount !== before + 2 && wait < 50; wait++) {
      await new Promise((r) => setTimeout(r, 100));
      memory = await t.http().get(`/api/v1/memories/${ids.berlin}`).set(auth()).expect(200);
    }
    expect(memory.body.accessCount).toBe(before + 2);
    expect(memory.body.lastAccessedAt).not.toBeNull();
  });

  it('takes adds without a runId within the session gap as turns of one conversation, each in the scope its own', async () => {
    const session = await startTestApp();
    try {
      const me = bearer((await register(session)).accessToken);
      const turns = [
        'Did you see the game last night?',
        'Yes, the referee was terrible.',
        'I still cannot believe that penalty!',
      ];
      // Concurrent adds of other scopes go into the same statements and must not become neighbours.
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          session
            .http()
            .post('/api/v1/memories')
            .set(me)
            .send({ content: `Unrelated note ${i} about penalty kicks`, userId: `other-${i}`, infer: false })
            .expect(201),
        ),
      );
      for (const content of turns)
        await session
          .http()
          .post('/api/v1/memories')
          .set(me)
          .send({ content, userId: 'ivy', infer: false })
          .expect(201);
      const texts = async (query: string, userId: string) =>
        (
          (await session.http().post('/api/v1/search').set(me).send({ query, userId, mode: 'text' }).expect(200)).body
            .results as { memory: string }[]
        ).map((r) => r.memory);
      // "referee" is only in the second turn: the first and third are found by it, as its neighbours, ranked after it.
      const found = await texts('referee', 'ivy');
      expect(found[0]).toBe(turns[1]);
      expect([...found].sort()).toEqual([...turns].sort());
      expect(await texts('referee', 'other-0')).toEqual([]);
    } finally {
      await session.close();
    }
    // With the gap at 0 (this app), the same adds stay apart.
    for (const content of ['Lunch was pasta today.', 'The printer jammed again.'])
      await t.http().post('/api/v1/memories').set(auth()).send({ content, userId: 'jon', infer: false }).expect(201);
    const res = await search({ query: 'printer', userId: 'jon', mode: 'text' }).expect(200);
    expect(res.body.results.map((r: { memory: string }) => r.memory)).toEqual(['The printer jammed again.']);
  });

  it('keeps neighbouring turns of a run as context: a turn is found by words of the turn after it', async () => {
    const turns = [
      'What did you do this weekend?',
      'I went hiking near the lake.',
      'Sounds great, any wildlife?',
      'We saw a moose and two eagles!',
    ];
    // The row version (xmin) of each turn as first written: a later add must never rewrite an earlier turn.
    const written: { id: string; version: string }[] = [];
    const versionOf = async (id: string) =>
      (
        await t.app.get(DataSource).query<{ v: string }[]>(`SELECT xmin::text AS v FROM memories WHERE id = $1`, [id])
      )[0].v;
    for (const content of turns) {
      const res = await t
        .http()
        .post('/api/v1/memories')
        .set(auth())
        .send({ content, userId: 'hank', runId: 'chat-1', infer: false })
        .expect(201);
      const id: string = res.body.results[0].id;
      written.push({ id, version: await versionOf(id) });
    }
    for (const w of written) expect(await versionOf(w.id)).toBe(w.version);
    const res = await search({ query: 'moose', userId: 'hank', mode: 'text' }).expect(200);
    const texts = res.body.results.map((r: { memory: string }) => r.memory);
    // The turn itself first, then its neighbour, which never contained the word.
    expect(texts[0]).toBe('We saw a moose and two eagles!');
    expect(texts).toContain('Sounds great, any wildlife?');
    expect(texts).not.toContain('What did you do this weekend?');
    // The stored text of a memory is unchanged by its context.
    expect((await search({ query: 'wildlife', userId: 'hank', mode: 'text' }).expect(200)).body.results[0].memory).toBe(
      'Sounds great, any wildlife?',
    );
  });
});

describe('vector search under a selective scope', () => {
  let t: TestApp;
  let owner: Registered;
  beforeAll(async () => {
    t = await startTestApp({ VECTOR_SEARCH: 'on' });
    owner = await register(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  // With an HNSW index (PostgreSQL) a plain index scan returns the nearest few dozen vectors of
  // the whole table and only then filters: a small scope among many others would come back
  // short. The server must still return every match of the scope.
  it("finds all of a small user's memories among thousands of others", async () => {
    const auth = bearer(owner.accessToken);
    const crowd = Array.from({ length: 1500 }, (_, i) => ({
      role: 'user',
      content: `Crowd member ${i} enjoys gardening and tomatoes number ${i}`,
    }));
    for (let i = 0; i < crowd.length; i += 200) {
      await t
        .http()
        .post('/api/v1/memories')
        .set(auth)
        .send({ messages: crowd.slice(i, i + 200), userId: 'crowd', infer: false })
        .expect(201);
    }
    const mine = [
      'Zoe enjoys gardening on her balcony',
      'Zoe grows tomatoes and basil',
      'Zoe gardening club meets on Sundays',
    ];
    for (const content of mine)
      await t.http().post('/api/v1/memories').set(auth).send({ content, userId: 'zoe', infer: false }).expect(201);
    const res = await t
      .http()
      .post('/api/v1/search')
      .set(auth)
      .send({ query: 'enjoys gardening and tomatoes', userId: 'zoe', mode: 'vector', limit: 10 })
      .expect(200);
    expect(res.body.results.map((r: { memory: string }) => r.memory).sort()).toEqual([...mine].sort());
  });
});
