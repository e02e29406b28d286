import { randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import { MetricsService } from '../src/observability/metrics.service.js';
import { compileServer, exitOf } from './support/compiled-server.js';
import type { CompiledServer } from './support/compiled-server.js';
import { FakeEmbeddings } from './support/fake-embeddings.js';
import { FakeLlm, textOf } from './support/fake-llm.js';
import type { ChatRequest } from './support/fake-llm.js';
import { freePort } from './support/free-port.js';
import { bearer, freshStorage, onPostgres, register, startTestApp, TEST_JWT_SECRET } from './support/test-app.js';
import type { Registered, Storage, TestApp } from './support/test-app.js';
import request from 'supertest';

const redisUrl = process.env.REDIS_URL;

/** A server the test talks to over HTTP: an app in this process or a process of its own. */
interface Replica {
  url: string;
  http: () => ReturnType<typeof request>;
  /** This replica's metrics, when it runs in the test's process. */
  metrics?: MetricsService;
  stop(): Promise<void>;
}

const isExtraction = (r: ChatRequest) => r.response_format !== undefined;

/** The fakes of the paid services: a chat model that answers "OK." and an embeddings API that counts. */
async function fakes(): Promise<{ llm: FakeLlm; embeddings: FakeEmbeddings; env: Record<string, string> }> {
  const llm = await new FakeLlm().start();
  llm.script = (r) =>
    isExtraction(r) ? (r.response_format?.json_schema?.name === 'facts' ? '{"facts": []}' : '{"memory": []}') : 'OK.';
  const embeddings = await new FakeEmbeddings().start();
  return {
    llm,
    embeddings,
    env: { ...llm.env, ...embeddings.env },
  };
}

async function count(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

function inProcess(t: TestApp): Replica {
  return { url: t.url, http: () => t.http(), metrics: t.app.get(MetricsService), stop: () => t.stop() };
}

/**
 * The turns' prompts seen by the fake LLM: the system prompt and temperature of the turn whose
 * user message is `marker`.
 */
function promptOf(llm: FakeLlm, marker: string): { system: string; temperature: number | undefined } {
  const found = llm.requests.filter((r) => !isExtraction(r) && textOf(r, 'user').includes(marker));
  if (found.length === 0) throw new Error(`no turn with ${marker} reached the LLM`);
  const first = found[0];
  return { system: textOf(first, 'system'), temperature: first.temperature };
}

/**
 * Changes on replica A (a block's value, a block shared by two agents, the agent's system prompt
 * and model), each followed at once by a turn on replica B: B's prompt must always carry the
 * new value. Many rounds, to give a race every chance to show.
 */
async function changeOnAThenTurnOnB(a: Replica, b: Replica, llm: FakeLlm, rounds: number): Promise<void> {
  // register() only needs http().
  const owner = await register({ http: a.http } as TestApp, 'Cache');
  const auth = bearer(owner.accessToken);
  const agent = async (name: string) =>
    (await a.http().post('/api/v1/agents').set(auth).send({ name, system: 'System 0' }).expect(201)).body.id as string;
  const first = await agent('first');
  const second = await agent('second');
  const shared = (await a.http().post('/api/v1/blocks').set(auth).send({ label: 'team', value: 'Team 0' }).expect(201))
    .body.id as string;
  for (const id of [first, second])
    await a.http().patch(`/api/v1/agents/${id}/blocks/attach/${shared}`).set(auth).expect(200);
  const turn = async (agentId: string, marker: string) =>
    b
      .http()
      .post(`/api/v1/agents/${agentId}/messages`)
      .set(auth)
      .send({ messages: [{ role: 'user', content: marker }] })
      .expect(200);
  // B reads (and caches) both agents before the changes begin.
  await turn(first, `warm ${randomBytes(3).toString('hex')}`);
  await turn(second, `warm ${randomBytes(3).toString('hex')}`);

  const expected = {
    persona: 'Persona 0',
    team: 'Team 0',
    system: 'System 0',
    temperature: undefined as number | undefined,
  };
  for (let round = 1; round <= rounds; round++) {
    const kind = round % 3;
    if (kind === 0) {
      expected.system = `System ${round}`;
      expected.temperature = round / 100;
      await a
        .http()
        .patch(`/api/v1/agents/${first}`)
        .set(auth)
        .send({ system: expected.system, model: { temperature: expected.temperature } })
        .expect(200);
    } else if (kind === 1) {
      expected.persona = `Persona ${round}`;
      await a
        .http()
        .patch(`/api/v1/agents/${first}/blocks/persona`)
        .set(auth)
        .send({ value: expected.persona })
        .expect(200);
    } else {
      expected.team = `Team ${round}`;
      await a.http().patch(`/api/v1/blocks/${shared}`).set(auth).send({ value: expected.team }).expect(200);
    }
    // The shared block is seen by the other agent too; the first agent's own changes by it.
    const target = kind === 2 && round % 2 === 0 ? second : first;
    const marker = `round ${round} ${randomBytes(3).toString('hex')}`;
    await turn(target, marker);
    const prompt = promptOf(llm, marker);
    expect(prompt.system).toContain(`<value>\n${expected.team}\n</value>`);
    if (target === first) {
      expect(prompt.system.startsWith(expected.system)).toBe(true);
      expect(prompt.system).toContain(`<value>\n${expected.persona}\n</value>`);
      expect(prompt.temperature).toBe(expected.temperature);
    }
  }
}

describe('shared cache', () => {
  describe('one server (the embedded default; PostgreSQL with Redis in the e2e-postgres project)', () => {
    let llm: FakeLlm;
    let embeddings: FakeEmbeddings;
    let env: Record<string, string>;
    const apps: TestApp[] = [];
    beforeAll(async () => {
      ({ llm, embeddings, env } = await fakes());
      if (onPostgres && redisUrl) env.REDIS_URL = redisUrl;
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await llm?.stop();
      await embeddings?.stop();
    });
    const start = async (extra: Record<string, string> = {}) => {
      const t = await startTestApp({ ...env, ...extra });
      apps.push(t);
      return t;
    };

    it('embeds a text once however often it is added and searched, and every time with the cache off', async () => {
      for (const [settings, times] of [
        [{}, 1],
        [{ EMBEDDING_CACHE_MB: '0', EMBEDDING_CACHE_TTL_SECONDS: '0' }, 2],
      ] as const) {
        const t = await start(settings);
        const owner = await register(t);
        const text = `a text to embed ${randomBytes(4).toString('hex')}`;
        for (const userId of ['u1', 'u2'])
          await t
            .http()
            .post('/api/v1/memories')
            .set(bearer(owner.accessToken))
            .send({ content: text, userId, infer: false })
            .expect(201);
        const query = `what was embedded ${randomBytes(4).toString('hex')}`;
        for (const userId of ['u1', 'u2'])
          await t
            .http()
            .post('/api/v1/memories/search')
            .set(bearer(owner.accessToken))
            .send({ query, userId, mode: 'hybrid' })
            .expect(200);
        expect([embeddings.count(text), embeddings.count(query)]).toEqual([times, times]);
        const metrics = t.app.get(MetricsService);
        expect(await count(metrics.embeddingCache, { level: 'memory', result: 'hit' })).toBe(times === 1 ? 2 : 0);
        expect(await count(metrics.embeddingDuration as unknown as Counter<string>, {})).toBeGreaterThan(0);
        await t.stop();
      }
    }, 240_000);

    it("serves a turn the agent's new blocks, system prompt and model right after each change, from the cache otherwise", async () => {
      const t = inProcess(await start());
      await changeOnAThenTurnOnB(t, t, llm, 12);
      // Every turn reads twice (the agent, then its blocks): the second read is served from the cache.
      expect(await count(t.metrics!.hotCache, { cache: 'agent', result: 'hit' })).toBeGreaterThanOrEqual(12);
    }, 180_000);

    it("never serves one organization's cached agent to another", async () => {
      const t = await start();
      const [owner, stranger] = [await register(t, 'Owner'), await register(t, 'Stranger')];
      const id = (
        await t.http().post('/api/v1/agents').set(bearer(owner.accessToken)).send({ name: 'mine' }).expect(201)
      ).body.id as string;
      const message = { messages: [{ role: 'user', content: 'hello' }] };
      // The owner's turns put the agent in the cache...
      for (let i = 0; i < 2; i++)
        await t.http().post(`/api/v1/agents/${id}/messages`).set(bearer(owner.accessToken)).send(message).expect(200);
      // ...and another organization still cannot reach it.
      await t.http().post(`/api/v1/agents/${id}/messages`).set(bearer(stranger.accessToken)).send(message).expect(404);
      await t.stop();
    }, 120_000);

    it('reads the database on every turn with HOT_CACHE_ENTRIES=0', async () => {
      const t = inProcess(await start({ HOT_CACHE_ENTRIES: '0' }));
      await changeOnAThenTurnOnB(t, t, llm, 3);
      expect(await count(t.metrics!.hotCache, {})).toBe(0);
    }, 120_000);
  });

  (onPostgres && redisUrl ? describe : describe.skip)('two replicas over PostgreSQL and Redis', () => {
    let llm: FakeLlm;
    let embeddings: FakeEmbeddings;
    let env: Record<string, string>;
    let storage: Storage;
    let server: CompiledServer;
    const replicas: Replica[] = [];

    beforeAll(async () => {
      ({ llm, embeddings, env } = await fakes());
      storage = await freshStorage();
      server = await compileServer();
    }, 180_000);
    afterAll(async () => {
      for (const r of replicas) await r.stop();
      await server?.remove();
      await storage?.drop();
      await llm?.stop();
      await embeddings?.stop();
    });

    /** Two API processes of their own (the compiled server), sharing the database, Redis and prefix. */
    const twoProcesses = async (): Promise<[Replica, Replica]> => {
      const prefix = `cache-${randomBytes(4).toString('hex')}`;
      const start = async (): Promise<Replica> => {
        const port = await freePort();
        const spawned = server.spawn('main', {
          ...env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: storage.location,
          DATABASE_POOL_SIZE: '3',
          JWT_SECRET: TEST_JWT_SECRET,
          REDIS_URL: redisUrl!,
          QUEUE_PREFIX: prefix,
          LOG_LEVEL: 'warn',
          AUTH_RATE_LIMIT_PER_MINUTE: '10000',
        });
        const url = `http://127.0.0.1:${port}`;
        const deadline = Date.now() + 90_000;
        for (;;) {
          if (spawned.child.exitCode !== null) throw new Error(`server exited: ${spawned.stderr()}`);
          const ok = await fetch(`${url}/health/ready`).then(
            (r) => r.ok,
            () => false,
          );
          if (ok) break;
          if (Date.now() > deadline) throw new Error(`server not ready: ${spawned.stderr()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        const replica: Replica = {
          url,
          http: () => request(url),
          stop: async () => {
            if (spawned.child.exitCode !== null) return;
            const exited = exitOf(spawned.child);
            spawned.child.kill('SIGTERM');
            await exited;
          },
        };
        replicas.push(replica);
        return replica;
      };
      // One after the other: two processes migrating a fresh database at once would race.
      const a = await start();
      return [a, await start()];
    };

    it('embeds a text added and searched on replica A, then on replica B, once', async () => {
      const [a, b] = await twoProcesses();
      const owner: Registered = await register({ http: a.http } as TestApp, 'Embedder');
      const auth = bearer(owner.accessToken);
      const text = `Alice keeps bees in Lyon ${randomBytes(4).toString('hex')}`;
      const query = `Who keeps bees? ${randomBytes(4).toString('hex')}`;
      for (const [replica, userId] of [
        [a, 'u1'],
        [b, 'u2'],
      ] as const) {
        await replica
          .http()
          .post('/api/v1/memories')
          .set(auth)
          .send({ content: text, userId, infer: false })
          .expect(201);
        const found = await replica
          .http()
          .post('/api/v1/memories/search')
          .set(auth)
          .send({ query, userId, mode: 'vector' })
          .expect(200);
        expect(found.body.results.map((r: { memory: string }) => r.memory)).toContain(text);
      }
      expect(embeddings.count(text)).toBe(1);
      expect(embeddings.count(query)).toBe(1);
    }, 120_000);

    it('never serves replica B a stale agent or block after replica A answered the change (real processes)', async () => {
      const [a, b] = await twoProcesses();
      await changeOnAThenTurnOnB(a, b, llm, 30);
    }, 180_000);

    it('never serves replica B a stale agent or block after replica A answered the change, and B serves its cache between changes', async () => {
      const prefix = `cache-${randomBytes(4).toString('hex')}`;
      const start = async () => {
        const t = await startTestApp({ ...env, REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix }, storage);
        const replica = inProcess(t);
        replicas.push(replica);
        return replica;
      };
      const a = await start();
      const b = await start();
      await changeOnAThenTurnOnB(a, b, llm, 30);
      expect(await count(b.metrics!.hotCache, { cache: 'agent', result: 'hit' })).toBeGreaterThanOrEqual(30);
    }, 180_000);
  });
});
