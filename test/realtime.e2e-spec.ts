import type { Socket } from 'socket.io-client';
import { LlmStreamPublisher } from '../src/llm/llm-stream.publisher.js';
import { RealtimeGateway } from '../src/realtime/realtime.gateway.js';
import { SseHub } from '../src/realtime/sse-hub.service.js';
import { connected, eventually, nextEvent, socketClient, SseClient } from './support/realtime-clients.js';
import { bearer, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

describe('Realtime: Socket.IO and SSE', () => {
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  let agentA: string;
  const sockets: Socket[] = [];
  const streams: SseClient[] = [];

  const open = async (token: string | undefined) => {
    const s = socketClient(t.url, token);
    sockets.push(s);
    return connected(s);
  };
  const sse = (
    path: string,
    token: string | null,
    types: string[],
    options: { lastEventId?: string; queryToken?: boolean } = {},
  ) => {
    const client = new SseClient(`${t.url}${path}`, token, types, options);
    streams.push(client);
    return client;
  };
  const addMemory = (who: Registered, content: string, extra: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/api/v1/memories')
      .set(bearer(who.accessToken))
      .send({ content, userId: 'alice', infer: false, ...extra })
      .expect(201);

  beforeAll(async () => {
    t = await startTestApp({ WS_EVENTS_PER_SECOND: '5', SSE_KEEPALIVE_SECONDS: '1' });
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
    agentA = (await t.http().post('/api/v1/agents').set(bearer(a.accessToken)).send({ name: 'helper' }).expect(201))
      .body.id;
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const c of streams.splice(0)) c.close();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('Socket.IO', () => {
    it('delivers memory_update within 1 s of a REST add, and nothing to another organization', async () => {
      const sa = await open(a.accessToken);
      const sb = await open(b.accessToken);
      const seenByB: unknown[] = [];
      sb.on('memory_update', (e) => seenByB.push(e));
      const started = Date.now();
      const [event, res] = await Promise.all([nextEvent(sa, 'memory_update'), addMemory(a, 'Alice likes green tea')]);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(event).toEqual(
        expect.objectContaining({
          type: 'memory_update',
          memory_id: res.body.results[0].id,
          user_id: 'alice',
          agent_id: null,
          operation: 'created',
          timestamp: expect.any(String),
        }),
      );
      // B's own event arriving proves delivery to B works, and that A's came nowhere near it.
      const [own] = await Promise.all([nextEvent(sb, 'memory_update'), addMemory(b, 'Bob likes coffee')]);
      expect(own.user_id).toBe('alice');
      expect(seenByB).toHaveLength(1);
      expect(seenByB[0]).toEqual(own);
    });

    it('reports updates and deletes with their operation', async () => {
      const sa = await open(a.accessToken);
      const id = (await addMemory(a, 'The office is in Lisbon')).body.results[0].id;
      const updated = nextEvent(sa, 'memory_update', (e) => e.memory_id === id && e.operation === 'updated');
      await t
        .http()
        .patch(`/api/v1/memories/${id}`)
        .set(bearer(a.accessToken))
        .send({ content: 'The office is in Porto' })
        .expect(200);
      await updated;
      const deleted = nextEvent(sa, 'memory_update', (e) => e.memory_id === id && e.operation === 'deleted');
      await t.http().delete(`/api/v1/memories/${id}`).set(bearer(a.accessToken)).expect(204);
      await deleted;
    });

    it('accepts an API key in the handshake header', async () => {
      const key = (
        await t
          .http()
          .post('/api/v1/api-keys')
          .set(bearer(a.accessToken))
          .send({ name: 'ws', scopes: ['read'] })
          .expect(201)
      ).body.key;
      const s = socketClient(t.url, undefined, { headers: { 'X-API-Key': key } });
      sockets.push(s);
      await connected(s);
      await Promise.all([nextEvent(s, 'memory_update'), addMemory(a, 'Keys can listen too')]);
    });

    it('refuses a bad token, a missing one and a revoked key with connect_error, never a silent socket', async () => {
      await expect(open('not-a-token')).rejects.toThrow(/invalid|malformed/i);
      await expect(open(undefined)).rejects.toThrow(/Authentication required/);
      const forged = a.accessToken.slice(0, -4) + (a.accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      const error = await open(forged).catch((e: Error & { data?: { statusCode?: number } }) => e);
      expect((error as { data?: { statusCode?: number } }).data?.statusCode).toBe(401);
      const key = await t
        .http()
        .post('/api/v1/api-keys')
        .set(bearer(a.accessToken))
        .send({ name: 'soon revoked', scopes: ['read'] })
        .expect(201);
      await t.http().delete(`/api/v1/api-keys/${key.body.id}`).set(bearer(a.accessToken)).expect(204);
      await expect(open(key.body.key)).rejects.toThrow(/revoked|invalid/i);
    });

    it('lets a client follow its own agent, and answers a foreign or malformed agent with an error event', async () => {
      const sb = await open(b.accessToken);
      const errorEvent = nextEvent(sb, 'error');
      const ack = await sb.emitWithAck('subscribe', { agentId: agentA });
      expect(ack).toEqual({ ok: false, error: `agent ${agentA} not found` });
      expect(await errorEvent).toEqual(expect.objectContaining({ type: 'error', code: 'NOT_FOUND' }));
      expect(await sb.emitWithAck('subscribe', { agentId: "x' OR 1=1" })).toEqual(
        expect.objectContaining({ ok: false }),
      );

      const sa = await open(a.accessToken);
      expect(await sa.emitWithAck('subscribe', { agentId: agentA })).toEqual({ ok: true, agentId: agentA });
      const chunkSeenByB: unknown[] = [];
      sb.on('llm_chunk', (e) => chunkSeenByB.push(e));
      const chunk = nextEvent(sa, 'llm_chunk');
      t.app
        .get(LlmStreamPublisher)
        .chunk(a.organizationId, { requestId: 'r1', agentId: agentA, chunk: 'Hel', isFinal: false });
      expect(await chunk).toEqual(
        expect.objectContaining({
          type: 'llm_chunk',
          request_id: 'r1',
          agent_id: agentA,
          chunk: 'Hel',
          is_final: false,
        }),
      );
      // After unsubscribing, the agent's stream no longer reaches the socket; an org-wide event still does.
      expect(await sa.emitWithAck('unsubscribe', { agentId: agentA })).toEqual({ ok: true, agentId: agentA });
      const afterUnsubscribe: unknown[] = [];
      sa.on('llm_chunk', (e) => afterUnsubscribe.push(e));
      t.app
        .get(LlmStreamPublisher)
        .chunk(a.organizationId, { requestId: 'r1', agentId: agentA, chunk: 'lo', isFinal: true });
      await Promise.all([nextEvent(sa, 'memory_update'), addMemory(a, 'Ordering marker after unsubscribe')]);
      expect(afterUnsubscribe).toEqual([]);
      expect(chunkSeenByB).toEqual([]);
    });

    it('disconnects a socket and ends an SSE stream once their API key is revoked', async () => {
      const key = await t
        .http()
        .post('/api/v1/api-keys')
        .set(bearer(a.accessToken))
        .send({ name: 'revoked while listening', scopes: ['read'] })
        .expect(201);
      const s = socketClient(t.url, key.body.key);
      sockets.push(s);
      await connected(s);
      const stream = sse('/api/v1/sse', key.body.key, ['memory_update', 'error']);
      await stream.opened();
      const socketError = nextEvent(s, 'error', (e) => e.code === 'UNAUTHENTICATED');
      const gone = new Promise<string>((resolve) => s.once('disconnect', resolve));
      await t.http().delete(`/api/v1/api-keys/${key.body.id}`).set(bearer(a.accessToken)).expect(204);
      await Promise.all([t.app.get(RealtimeGateway).recheckCredentials(), t.app.get(SseHub).recheckCredentials()]);
      expect((await socketError).message).toMatch(/no longer valid/);
      expect(await gone).toBe('io server disconnect');
      expect((await stream.next((m) => m.type === 'error')).data).toEqual(
        expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      );
      // A valid credential is left alone.
      const kept = await open(a.accessToken);
      await t.app.get(RealtimeGateway).recheckCredentials();
      expect(kept.connected).toBe(true);
    });

    it('answers ping with pong', async () => {
      const s = await open(a.accessToken);
      const pong = nextEvent(s, 'pong');
      s.emit('ping');
      expect(await pong).toEqual(expect.objectContaining({ type: 'pong' }));
    });

    it('tells a flooding socket to slow down, then disconnects it', async () => {
      const s = await open(a.accessToken);
      const limited = nextEvent(s, 'error', (e) => e.code === 'RATE_LIMITED');
      const gone = new Promise<string>((resolve) => s.once('disconnect', resolve));
      for (let i = 0; i < 40; i += 1) s.emit('ping');
      await limited;
      expect(await gone).toBe('io server disconnect');
      await eventually(
        () => t.app.get(RealtimeGateway).connectionCount(a.organizationId) === 0,
        5000,
        'connection count back to 0',
      );
    });

    it('limits connections per organization', async () => {
      const limited = await startTestApp({ WS_MAX_CONNECTIONS_PER_ORG: '2' });
      try {
        const owner = await register(limited, 'Small');
        const clients = [socketClient(limited.url, owner.accessToken), socketClient(limited.url, owner.accessToken)];
        sockets.push(...clients);
        await Promise.all(clients.map(connected));
        const third = socketClient(limited.url, owner.accessToken);
        sockets.push(third);
        const error = await connected(third).catch((e: Error & { data?: { statusCode?: number } }) => e);
        expect((error as { data?: { statusCode?: number } }).data?.statusCode).toBe(429);
        clients[0].disconnect();
        await eventually(
          () => limited.app.get(RealtimeGateway).connectionCount(owner.organizationId) === 1,
          5000,
          'a slot freed',
        );
        const fourth = socketClient(limited.url, owner.accessToken);
        sockets.push(fourth);
        await connected(fourth);
      } finally {
        for (const s of sockets.splice(0)) s.disconnect();
        await limited.close();
      }
    });
  });

  describe('SSE', () => {
    it('streams the same memory_update, resumes with Last-Event-ID, and releases the stream on close', async () => {
      const hub = t.app.get(SseHub);
      const before = hub.size;
      const first = sse('/api/v1/sse', a.accessToken, ['memory_update']);
      await first.opened();
      const added = await addMemory(a, 'Streams carry memories');
      const event = await first.next((m) => m.data.memory_id === added.body.results[0].id);
      expect(event.data).toEqual(
        expect.objectContaining({ type: 'memory_update', operation: 'created', user_id: 'alice' }),
      );
      first.close();
      await eventually(() => hub.size === before, 5000, 'the server released the stream');

      // Two events happen while the client is away; it comes back with the id it saw last.
      const missed1 = (await addMemory(a, 'Missed while away one')).body.results[0].id;
      const missed2 = (await addMemory(a, 'Missed while away two')).body.results[0].id;
      const resumed = sse('/api/v1/sse', a.accessToken, ['memory_update'], { lastEventId: event.id });
      await resumed.next((m) => m.data.memory_id === missed2);
      const ids = resumed.messages.map((m) => m.data.memory_id);
      expect(ids.indexOf(missed1)).toBeGreaterThanOrEqual(0);
      expect(ids.indexOf(missed1)).toBeLessThan(ids.indexOf(missed2));
      expect(ids).not.toContain(added.body.results[0].id);
    });

    it('takes the credential as ?token= for browsers, and gives nothing of another organization', async () => {
      const streamB = sse('/api/v1/sse', b.accessToken, ['memory_update'], { queryToken: true });
      await streamB.opened();
      await addMemory(a, 'A secret of organization A');
      const own = (await addMemory(b, 'Organization B note')).body.results[0].id;
      await streamB.next((m) => m.data.memory_id === own);
      expect(streamB.messages).toHaveLength(1);
    });

    it('refuses a missing or bad credential and a foreign agent', async () => {
      const res = await fetch(`${t.url}/api/v1/sse`);
      expect(res.status).toBe(401);
      expect((await fetch(`${t.url}/api/v1/sse?token=nope`)).status).toBe(401);
      const foreign = await fetch(`${t.url}/api/v1/sse?agentId=${agentA}`, { headers: bearer(b.accessToken) });
      expect(foreign.status).toBe(404);
      const bad = await fetch(`${t.url}/api/v1/sse?agentId=zzz`, { headers: bearer(a.accessToken) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/agentId/);
    });

    it('limits open streams per organization (429), and frees the slot on close', async () => {
      const limited = await startTestApp({ SSE_MAX_STREAMS_PER_ORG: '1' });
      try {
        const owner = await register(limited, 'Streams');
        const first = new SseClient(`${limited.url}/api/v1/sse`, owner.accessToken, ['memory_update']);
        streams.push(first);
        await first.opened();
        const second = await fetch(`${limited.url}/api/v1/sse`, { headers: bearer(owner.accessToken) });
        expect(second.status).toBe(429);
        expect(((await second.json()) as { message: string }).message).toMatch(/Too many open streams/);
        first.close();
        await eventually(() => limited.app.get(SseHub).size === 0, 5000, 'the stream released');
        const third = new SseClient(`${limited.url}/api/v1/sse`, owner.accessToken, ['memory_update']);
        streams.push(third);
        await third.opened();
      } finally {
        for (const c of streams.splice(0)) c.close();
        await limited.close();
      }
    });

    it('sends keep-alive comments', async () => {
      const controller = new AbortController();
      const res = await fetch(`${t.url}/api/v1/sse`, { headers: bearer(a.accessToken), signal: controller.signal });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes(': keep-alive')) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
    });

    it('streams an LLM request on /sse/llm, chunks already sent first, and ends after the final one', async () => {
      const publisher = t.app.get(LlmStreamPublisher);
      publisher.chunk(a.organizationId, { requestId: 'req-1', agentId: agentA, chunk: 'Hello', isFinal: false });
      const stream = sse('/api/v1/sse/llm?requestId=req-1', a.accessToken, ['message']);
      await stream.opened();
      await stream.next((m) => m.data.chunk === 'Hello');
      publisher.chunk(a.organizationId, { requestId: 'req-1', agentId: agentA, chunk: ' world', isFinal: false });
      publisher.chunk(a.organizationId, { requestId: 'other', agentId: agentA, chunk: 'not mine', isFinal: true });
      publisher.chunk(a.organizationId, { requestId: 'req-1', agentId: agentA, chunk: '', isFinal: true });
      await stream.next((m) => m.data.is_final === true);
      expect(stream.messages.map((m) => m.data)).toEqual([
        { request_id: 'req-1', chunk: 'Hello', is_final: false },
        { request_id: 'req-1', chunk: ' world', is_final: false },
        { request_id: 'req-1', chunk: '', is_final: true },
      ]);
      // Another organization asking for the same request id sees none of it.
      const other = sse('/api/v1/sse/llm?requestId=req-1', b.accessToken, ['message']);
      await other.opened();
      publisher.chunk(b.organizationId, { requestId: 'req-1', agentId: null, chunk: 'B only', isFinal: true });
      await other.next((m) => m.data.is_final === true);
      expect(other.messages.map((m) => m.data.chunk)).toEqual(['B only']);
    });
  });
});
