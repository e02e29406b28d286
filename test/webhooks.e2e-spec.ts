import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { uuidv7 } from '../src/common/ids.js';
import { JobRunner } from '../src/jobs/runners/job-runner.js';
import { eventually } from './support/realtime-clients.js';
import { bearer, expectErrorShape, freshStorage, onPostgres, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/** A request the receiver got: its headers and the raw body as sent. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; createdAt: string; organizationId: string; data: Record<string, unknown> };
}

/**
 * The endpoint of the tests: records every POST; `/fail-once/...` answers 500 to the first
 * request of each event, then 200; anything else answers 204.
 */
class Receiver {
  readonly received: Received[] = [];
  private readonly failed = new Set<string>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as Received['body'];
      this.received.push({ path: req.url ?? '', headers: req.headers, raw, body });
      if (req.url?.startsWith('/fail-once/') && !this.failed.has(body.id)) {
        this.failed.add(body.id);
        res.writeHead(500).end('not now');
        return;
      }
      res.writeHead(204).end();
    });
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Checks `AgentMem-Signature: t=<unix>,v1=<hex>` as the README tells receivers to. */
function signedBy(secret: string, r: Received): boolean {
  const header = String(r.headers['agentmem-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  if (Math.abs(Date.now() / 1000 - Number(match[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${r.raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
}

const FAST = {
  WEBHOOKS_BACKOFF_MS: '50',
  WEBHOOKS_ATTEMPTS: '3',
  WEBHOOKS_TIMEOUT_MS: '3000',
};

async function addMemory(t: TestApp, token: string, content: string): Promise<string> {
  const res = await t
    .http()
    .post('/api/v1/memories')
    .set(bearer(token))
    .send({ content, userId: 'alice', infer: false })
    .expect(201);
  return res.body.results[0].id as string;
}

async function createWebhook(
  t: TestApp,
  token: string,
  body: Record<string, unknown>,
): Promise<{ id: string; secret: string }> {
  const res = await t.http().post('/api/v1/webhooks').set(bearer(token)).send(body).expect(201);
  return res.body as { id: string; secret: string };
}

async function deliveries(t: TestApp, token: string, id: string): Promise<Record<string, unknown>[]> {
  const res = await t.http().get(`/api/v1/webhooks/${id}/deliveries`).set(bearer(token)).expect(200);
  return res.body.data as Record<string, unknown>[];
}

describe('webhooks', () => {
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    // The receiver listens on 127.0.0.1 over http: allowed here, refused in the suite below.
    t = await startTestApp({ ...FAST, WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('delivers a memory.created event once, signed with the secret shown at creation', async () => {
    const owner = await register(t, 'Hooked');
    const hook = await createWebhook(t, owner.accessToken, {
      url: receiver.url('/created'),
      events: ['memory.created'],
      description: 'CRM sync',
    });
    expect(hook.secret).toMatch(/^whsec_/);
    const memoryId = await addMemory(t, owner.accessToken, 'Alice likes tea');
    await eventually(() => receiver.at('/created').length > 0, 10_000, 'the delivery');
    const [first] = receiver.at('/created');
    expect(first.body).toMatchObject({
      type: 'memory.created',
      organizationId: owner.organizationId,
      data: { memoryId, userId: 'alice', agentId: null, runId: null },
    });
    expect(first.headers['agentmem-event']).toBe('memory.created');
    expect(first.headers['agentmem-event-id']).toBe(first.body.id);
    expect(first.headers['content-type']).toBe('application/json');
    expect(signedBy(hook.secret, first)).toBe(true);
    expect(signedBy('whsec_another', first)).toBe(false);

    // Only subscribed types: an update is not sent; a later add is, and the first event came once.
    await t
      .http()
      .patch(`/api/v1/memories/${memoryId}`)
      .set(bearer(owner.accessToken))
      .send({ content: 'Alice likes green tea' })
      .expect(200);
    const second = await addMemory(t, owner.accessToken, 'Alice lives in Lyon');
    await eventually(() => receiver.at('/created').some((r) => r.body.data.memoryId === second), 10_000);
    const log = await deliveries(t, owner.accessToken, hook.id);
    expect(log).toHaveLength(2);
    expect(receiver.at('/created').map((r) => r.body.type)).toEqual(['memory.created', 'memory.created']);
    expect(receiver.at('/created').filter((r) => r.body.id === first.body.id)).toHaveLength(1);
    const entry = log.find((d) => d.eventId === first.body.id)!;
    expect(entry).toMatchObject({
      eventType: 'memory.created',
      attempt: 1,
      status: 'succeeded',
      responseStatus: 204,
      error: null,
      deliveryId: first.headers['agentmem-delivery'],
    });
    expect(typeof entry.durationMs).toBe('number');
  });

  it('retries a delivery the receiver answered with 500, and logs both attempts', async () => {
    const owner = await register(t, 'Flaky');
    const hook = await createWebhook(t, owner.accessToken, {
      url: receiver.url('/fail-once/a'),
      events: ['memory.created', 'agent.updated'],
    });
    await addMemory(t, owner.accessToken, 'Bob drinks coffee');
    await eventually(
      async () => (await deliveries(t, owner.accessToken, hook.id)).some((d) => d.status === 'succeeded'),
      10_000,
      'the retried delivery',
    );
    const log = await deliveries(t, owner.accessToken, hook.id);
    // Newest first.
    expect(log.map((d) => [d.attempt, d.status, d.responseStatus])).toEqual([
      [2, 'succeeded', 204],
      [1, 'retrying', 500],
    ]);
    expect(log[1].error).toMatch(/answered 500: not now/);
    expect(log[0].deliveryId).toBe(log[1].deliveryId);
    const got = receiver.at('/fail-once/a');
    expect(got).toHaveLength(2);
    expect(got[0].body.id).toBe(got[1].body.id);
    expect(got[0].raw).toBe(got[1].raw);
    expect(got.every((r) => signedBy(hook.secret, r))).toBe(true);
    expect(got[1].headers['agentmem-delivery']).toBe(log[0].deliveryId);

    // An agent event reaches the same webhook (mapped from agent.updated).
    await t.http().post('/api/v1/agents').set(bearer(owner.accessToken)).send({ name: 'helper' }).expect(201);
    await eventually(() => receiver.at('/fail-once/a').some((r) => r.body.type === 'agent.updated'), 10_000);
    const agentEvent = receiver.at('/fail-once/a').find((r) => r.body.type === 'agent.updated')!;
    expect(agentEvent.body.data).toMatchObject({ status: 'created' });
  });

  it('gives up after WEBHOOKS_ATTEMPTS and logs the last attempt as failed', async () => {
    const owner = await register(t, 'Down');
    const closed = await new Receiver().start();
    const url = closed.url('/gone');
    await closed.close(); // nothing listens there any more
    const hook = await createWebhook(t, owner.accessToken, { url, events: ['memory.created'] });
    await addMemory(t, owner.accessToken, 'Carol plays chess');
    await eventually(
      async () => (await deliveries(t, owner.accessToken, hook.id)).some((d) => d.status === 'failed'),
      15_000,
      'the last attempt',
    );
    const log = await deliveries(t, owner.accessToken, hook.id);
    expect(log.map((d) => [d.attempt, d.status, d.responseStatus])).toEqual([
      [3, 'failed', null],
      [2, 'retrying', null],
      [1, 'retrying', null],
    ]);
    expect(String(log[0].error)).toMatch(/ECONNREFUSED/);
  });

  it('manages webhooks: list, update, pause, rotate the secret, delete', async () => {
    const owner = await register(t, 'Manager');
    const hook = await createWebhook(t, owner.accessToken, {
      url: receiver.url('/managed'),
      events: ['memory.deleted'],
    });
    const list = await t.http().get('/api/v1/webhooks').set(bearer(owner.accessToken)).expect(200);
    expect(list.body.data.map((w: { id: string }) => w.id)).toEqual([hook.id]);
    expect(list.body.data[0]).not.toHaveProperty('secret');
    expect(list.body.nextCursor).toBeNull();

    const updated = await t
      .http()
      .patch(`/api/v1/webhooks/${hook.id}`)
      .set(bearer(owner.accessToken))
      .send({ events: ['memory.created', 'memory.created'], description: 'renamed' })
      .expect(200);
    expect(updated.body).toMatchObject({ events: ['memory.created'], description: 'renamed', active: true });
    expect(updated.body).not.toHaveProperty('secret');

    const rotated = await t
      .http()
      .post(`/api/v1/webhooks/${hook.id}/rotate-secret`)
      .set(bearer(owner.accessToken))
      .expect(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    const id1 = await addMemory(t, owner.accessToken, 'signed with the new secret');
    await eventually(() => receiver.at('/managed').some((r) => r.body.data.memoryId === id1), 10_000);
    const delivered = receiver.at('/managed').find((r) => r.body.data.memoryId === id1)!;
    expect(signedBy(rotated.body.secret, delivered)).toBe(true);
    expect(signedBy(hook.secret, delivered)).toBe(false);

    // Paused: events meanwhile are not delivered.
    await t
      .http()
      .patch(`/api/v1/webhooks/${hook.id}`)
      .set(bearer(owner.accessToken))
      .send({ active: false })
      .expect(200);
    const id2 = await addMemory(t, owner.accessToken, 'not delivered');
    // A marker webhook subscribed to the same event shows the event has been dispatched.
    const marker = await createWebhook(t, owner.accessToken, {
      url: receiver.url('/marker'),
      events: ['memory.created'],
    });
    const id3 = await addMemory(t, owner.accessToken, 'marker');
    await eventually(() => receiver.at('/marker').some((r) => r.body.data.memoryId === id3), 10_000);
    expect(receiver.at('/managed').some((r) => r.body.data.memoryId === id2)).toBe(false);

    await t.http().delete(`/api/v1/webhooks/${hook.id}`).set(bearer(owner.accessToken)).expect(204);
    await t.http().get(`/api/v1/webhooks/${hook.id}`).set(bearer(owner.accessToken)).expect(404);
    await t.http().get(`/api/v1/webhooks/${hook.id}/deliveries`).set(bearer(owner.accessToken)).expect(404);
    await t.http().delete(`/api/v1/webhooks/${marker.id}`).set(bearer(owner.accessToken)).expect(204);
  });

  it("returns 404 for another organization's webhook and 403 to members and viewers", async () => {
    const owner = await register(t, 'Victim');
    const other = await register(t, 'Attacker');
    const hook = await createWebhook(t, owner.accessToken, {
      url: receiver.url('/victim'),
      events: ['memory.created'],
    });
    const as = (r: Registered) => bearer(r.accessToken);
    for (const res of [
      await t.http().get(`/api/v1/webhooks/${hook.id}`).set(as(other)),
      await t
        .http()
        .patch(`/api/v1/webhooks/${hook.id}`)
        .set(as(other))
        .send({ url: receiver.url('/stolen') }),
      await t.http().post(`/api/v1/webhooks/${hook.id}/rotate-secret`).set(as(other)),
      await t.http().get(`/api/v1/webhooks/${hook.id}/deliveries`).set(as(other)),
      await t.http().delete(`/api/v1/webhooks/${hook.id}`).set(as(other)),
    ]) {
      expect(res.status).toBe(404);
      expectErrorShape(res.body, 404);
    }
    const theirs = await t.http().get('/api/v1/webhooks').set(as(other)).expect(200);
    expect(theirs.body.data).toEqual([]);

    const key = async (scopes: string[]) =>
      (
        await t
          .http()
          .post('/api/v1/api-keys')
          .set(as(owner))
          .send({ name: scopes.join('+'), scopes })
          .expect(201)
      ).body.key as string;
    const member = await key(['read', 'write']);
    const viewer = await key(['read']);
    for (const token of [member, viewer]) {
      await t
        .http()
        .post('/api/v1/webhooks')
        .set(bearer(token))
        .send({ url: receiver.url('/x'), events: ['memory.created'] })
        .expect(403);
      await t.http().get('/api/v1/webhooks').set(bearer(token)).expect(403);
      await t.http().get(`/api/v1/webhooks/${hook.id}/deliveries`).set(bearer(token)).expect(403);
      await t.http().delete(`/api/v1/webhooks/${hook.id}`).set(bearer(token)).expect(403);
    }
    const admin = await key(['admin']);
    await t.http().get(`/api/v1/webhooks/${hook.id}`).set(bearer(admin)).expect(200);
    // Nothing an attacker sent reached the owner's webhook.
    const still = await t.http().get(`/api/v1/webhooks/${hook.id}`).set(as(owner)).expect(200);
    expect(still.body.url).toBe(receiver.url('/victim'));
  });

  it('forgets delivery attempts older than WEBHOOKS_DELIVERY_RETENTION_DAYS in the maintenance job', async () => {
    const owner = await register(t, 'Tidy');
    const hook = await createWebhook(t, owner.accessToken, { url: receiver.url('/tidy'), events: ['memory.created'] });
    await addMemory(t, owner.accessToken, 'an old delivery');
    await addMemory(t, owner.accessToken, 'a recent delivery');
    await eventually(async () => (await deliveries(t, owner.accessToken, hook.id)).length === 2, 10_000);
    const [recent, old] = await deliveries(t, owner.accessToken, hook.id);
    await t.app
      .get(DataSource)
      .query(`UPDATE webhook_deliveries SET created_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
    const runner = t.app.get(JobRunner);
    const id = uuidv7();
    await runner.enqueue('maintenance', { organizationId: null, principal: null, payload: {} }, id);
    await eventually(async () => (await runner.find(id))?.state === 'completed', 30_000, 'maintenance completed');
    expect((await runner.find(id))!.result).toEqual(expect.objectContaining({ webhookDeliveries: 1 }));
    expect((await deliveries(t, owner.accessToken, hook.id)).map((d) => d.id)).toEqual([recent.id]);
  });

  it('answers bad bodies with a 400 naming the field', async () => {
    const owner = await register(t, 'Careless');
    const cases: [Record<string, unknown>, string][] = [
      [{ events: ['memory.created'] }, 'url'],
      [{ url: 42, events: ['memory.created'] }, 'url'],
      [{ url: 'not a url', events: ['memory.created'] }, 'url'],
      [{ url: 'ftp://example.com/x', events: ['memory.created'] }, 'url'],
      [{ url: 'https://user:pw@example.com/x', events: ['memory.created'] }, 'url'],
      [{ url: receiver.url('/x') }, 'events'],
      [{ url: receiver.url('/x'), events: [] }, 'events'],
      [{ url: receiver.url('/x'), events: ['memory.exploded'] }, 'events'],
      [{ url: receiver.url('/x'), events: 'memory.created' }, 'events'],
      [{ url: receiver.url('/x'), events: ['memory.created'], description: null }, 'description'],
      [{ url: receiver.url('/x'), events: ['memory.created'], active: 'yes' }, 'active'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().post('/api/v1/webhooks').set(bearer(owner.accessToken)).send(body);
      expect([res.status, body]).toEqual([400, body]);
      expectErrorShape(res.body, 400);
      expect(res.body.message).toContain(field);
    }
    const hook = await createWebhook(t, owner.accessToken, { url: receiver.url('/x'), events: ['memory.created'] });
    for (const [body, field] of [
      [{ active: null }, 'active'],
      [{ events: null }, 'events'],
      [{ url: null }, 'url'],
      [{ url: 'javascript:alert(1)' }, 'url'],
    ] as [Record<string, unknown>, string][]) {
      const res = await t.http().patch(`/api/v1/webhooks/${hook.id}`).set(bearer(owner.accessToken)).send(body);
      expect([res.status, body]).toEqual([400, body]);
      expect(res.body.message).toContain(field);
    }
    await t.http().get('/api/v1/webhooks/not-a-uuid').set(bearer(owner.accessToken)).expect(400);
    await t.http().get('/api/v1/webhooks?cursor=nope').set(bearer(owner.accessToken)).expect(400);
  });
});

describe('webhooks without private networks (the default)', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('refuses private, loopback and plain-http urls at registration', async () => {
    const t = await startTestApp(FAST);
    try {
      const owner = await register(t, 'Strict');
      for (const url of [
        'https://127.0.0.1/hook',
        'https://10.1.2.3/hook',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]:8443/hook',
        'https://[::ffff:192.168.0.1]/hook',
        `https://localhost:${receiver.port}/hook`,
        'http://example.com/hook',
      ]) {
        const res = await t
          .http()
          .post('/api/v1/webhooks')
          .set(bearer(owner.accessToken))
          .send({ url, events: ['memory.created'] });
        expect([res.status, url]).toEqual([400, url]);
        expect(res.body.message).toMatch(/^url /);
        expect(res.body.message).toMatch(/WEBHOOKS_ALLOW_PRIVATE_NETWORKS/);
      }
      // A public https endpoint is accepted (its name may not resolve here: delivery checks again).
      await createWebhook(t, owner.accessToken, {
        url: 'https://hooks.example.com/agentmem',
        events: ['memory.created'],
      });
    } finally {
      await t.close();
    }
  });

  it('refuses at delivery a url whose name resolves to a private address (registered while allowed)', async () => {
    const storage = await freshStorage();
    let t = await startTestApp({ ...FAST, WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' }, storage);
    try {
      const owner = await register(t, 'Rebound');
      // Allowed at registration (the setting was on); `localhost` resolves to the loopback.
      const byName = await createWebhook(t, owner.accessToken, {
        url: `https://localhost:${receiver.port}/rebound`,
        events: ['memory.created'],
      });
      const byAddress = await createWebhook(t, owner.accessToken, {
        url: `https://127.0.0.1:${receiver.port}/literal`,
        events: ['memory.created'],
      });
      await t.stop();
      t = await startTestApp(FAST, storage);
      await addMemory(t, owner.accessToken, 'must not leave');
      for (const hook of [byName, byAddress])
        await eventually(
          async () => (await deliveries(t, owner.accessToken, hook.id)).some((d) => d.status === 'failed'),
          15_000,
          'the refused delivery',
        );
      const [named] = await deliveries(t, owner.accessToken, byName.id);
      expect(named).toMatchObject({ status: 'failed', responseStatus: null });
      expect(String(named.error)).toMatch(
        /^localhost resolves to .*a private address.*WEBHOOKS_ALLOW_PRIVATE_NETWORKS/,
      );
      const [literal] = await deliveries(t, owner.accessToken, byAddress.id);
      expect(String(literal.error)).toMatch(/127\.0\.0\.1 is a private address/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await t.stop();
      await storage.drop();
    }
  });
});

/**
 * Every process receives every event from the bus and queues its delivery; the deterministic job
 * id keeps one. Two servers over one PostgreSQL database (and Redis when the run has one).
 */
(onPostgres ? describe : describe.skip)('webhooks across several processes', () => {
  const backends: [string, Record<string, string>][] = [
    ['BullMQ on PostgreSQL, events by NOTIFY', {}],
    ...(process.env.REDIS_URL
      ? [
          [
            'BullMQ on Redis, events by pub/sub',
            { REDIS_URL: process.env.REDIS_URL, QUEUE_PREFIX: `webhooks-${Date.now()}` },
          ],
        ]
      : []),
  ] as [string, Record<string, string>][];

  it.each(backends)('delivers each event once although both servers receive it (%s)', async (_name, backend) => {
    const receiver = await new Receiver().start();
    const storage = await freshStorage();
    const env = { ...FAST, WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true', ...backend };
    const a = await startTestApp(env, storage);
    const b = await startTestApp(env, storage);
    try {
      const owner = await register(a, 'Replicated');
      const hook = await createWebhook(b, owner.accessToken, {
        url: receiver.url('/once'),
        events: ['memory.created'],
      });
      const ids: string[] = [];
      for (let i = 0; i < 4; i += 1) ids.push(await addMemory(i % 2 ? b : a, owner.accessToken, `fact number ${i}`));
      await eventually(
        () => ids.every((id) => receiver.at('/once').some((r) => r.body.data.memoryId === id)),
        15_000,
        'every delivery',
      );
      // A last event delivered after them: any duplicate of the first ones would be in by now.
      const last = await addMemory(a, owner.accessToken, 'the last one');
      await eventually(() => receiver.at('/once').some((r) => r.body.data.memoryId === last), 15_000);
      const eventIds = receiver.at('/once').map((r) => r.body.id);
      expect(new Set(eventIds).size).toBe(eventIds.length);
      expect(eventIds).toHaveLength(5);
      expect(await deliveries(a, owner.accessToken, hook.id)).toHaveLength(5);
    } finally {
      await a.stop();
      await b.stop();
      await storage.drop();
      await receiver.close();
    }
  });
});
