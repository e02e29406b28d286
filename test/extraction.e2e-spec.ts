import { FakeLlm, textOf } from './support/fake-llm.js';
import { connected, nextEvent, socketClient } from './support/realtime-clients.js';
import type { ChatRequest } from './support/fake-llm.js';
import { bearer, expectErrorShape, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/** The ids and texts the server showed the model as existing memories ("- id 0: text"). */
function existingIn(request: ChatRequest): Map<string, string> {
  const shown = new Map<string, string>();
  for (const match of textOf(request, 'user').matchAll(/^- id (\S+): (.*)$/gm)) shown.set(match[1], match[2]);
  return shown;
}

describe('memory extraction with an LLM (fake OpenAI-compatible server)', () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let owner: Registered;
  const auth = () => bearer(owner.accessToken);
  const add = (body: Record<string, unknown>) => t.http().post('/api/v1/memories').set(auth()).send(body);
  const list = async (userId: string) =>
    (await t.http().get('/api/v1/memories').query({ userId }).set(auth()).expect(200)).body.data as {
      id: string;
      memory: string;
    }[];

  beforeAll(async () => {
    await llm.start();
    t = await startTestApp({
      ...llm.env,
      JOBS_ATTEMPTS: '2',
    });
    owner = await register(t);
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
  });

  /** Scripts the two calls: facts for the conversation, then decisions given what the server showed. */
  function script(facts: string[], decide: (existing: Map<string, string>) => unknown[]) {
    llm.script = (request) => {
      const name = request.response_format?.json_schema?.name;
      if (name === 'fact_extraction') return JSON.stringify({ facts });
      if (name === 'memory_reconciliation') return JSON.stringify({ memory: decide(existingIn(request)) });
      return '{}';
    };
  }

  const idOf = (existing: Map<string, string>, word: string) =>
    [...existing].find(([, text]) => text.includes(word))?.[0];

  it('"I live in Paris" then "I moved to Berlin": one memory, updated to Berlin, with history', async () => {
    script(['Lives in Paris'], () => [{ event: 'ADD', text: 'Lives in Paris' }]);
    const first = await add({ messages: [{ role: 'user', content: 'I live in Paris' }], userId: 'ivy' }).expect(201);
    expect(first.body).toMatchObject({ inferred: true, results: [{ event: 'ADD', memory: 'Lives in Paris' }] });
    const id = first.body.results[0].id;

    // The model must be shown the Paris memory by a short id, never its UUID.
    script(['Lives in Berlin'], (existing) => {
      expect([...existing.values()]).toContain('Lives in Paris');
      expect([...existing.keys()].every((k) => k.length < 5)).toBe(true);
      return [{ event: 'UPDATE', id: idOf(existing, 'Paris'), text: 'Lives in Berlin' }];
    });
    const second = await add({ messages: [{ role: 'user', content: 'I moved to Berlin' }], userId: 'ivy' }).expect(201);
    expect(second.body.results).toEqual([
      { id, event: 'UPDATE', memory: 'Lives in Berlin', previous: 'Lives in Paris' },
    ]);
    const reconcile = llm.requestsNamed('memory_reconciliation').at(-1)!;
    expect(textOf(reconcile, 'user')).not.toContain(id);

    expect((await list('ivy')).map((m) => m.memory)).toEqual(['Lives in Berlin']);
    const history = await t.http().get(`/api/v1/memories/${id}/history`).set(auth()).expect(200);
    expect(history.body.data.map((h: { event: string; newContent: string }) => [h.event, h.newContent])).toEqual([
      ['ADD', 'Lives in Paris'],
      ['UPDATE', 'Lives in Berlin'],
    ]);
  });

  it('deletes a contradicted fact and leaves known ones alone (NONE)', async () => {
    script(['Has a dog named Rex', 'Likes jazz'], () => [
      { event: 'ADD', text: 'Has a dog named Rex' },
      { event: 'ADD', text: 'Likes jazz' },
    ]);
    await add({ content: 'My dog Rex and I listen to jazz', userId: 'jay' }).expect(201);
    script(['No longer has a dog', 'Likes jazz'], (existing) => [
      { event: 'DELETE', id: idOf(existing, 'Rex') },
      { event: 'NONE', id: idOf(existing, 'jazz') },
    ]);
    const res = await add({ content: 'Rex went to live with my sister, I still love jazz', userId: 'jay' }).expect(201);
    expect(res.body.results.map((r: { event: string; memory: string }) => [r.event, r.memory])).toEqual([
      ['DELETE', 'Has a dog named Rex'],
      ['NONE', 'Likes jazz'],
    ]);
    expect((await list('jay')).map((m) => m.memory)).toEqual(['Likes jazz']);
  });

  it('writes nothing when the model answers garbage twice (502), and retries once before that', async () => {
    const before = await list('kim');
    let calls = 0;
    llm.script = () => {
      calls += 1;
      return 'this is not json';
    };
    const bad = await add({ content: 'I work at a bakery', userId: 'kim' }).expect(502);
    expectErrorShape(bad.body, 502);
    expect(bad.body.code).toBe('LLM_INVALID_OUTPUT');
    expect(calls).toBe(2);
    expect(await list('kim')).toEqual(before);

    // A reply naming an id the server never showed is refused the same way.
    script(['Works at a bakery'], () => [{ event: 'UPDATE', id: '99', text: 'hijack' }]);
    const unknownId = await add({ content: 'I work at a bakery', userId: 'kim' }).expect(502);
    expect(unknownId.body.message).toContain('unknown id');
    expect(await list('kim')).toEqual(before);

    // One bad reply, then a good one: the retry saves the request.
    let first = true;
    llm.script = (request) => {
      if (request.response_format?.json_schema?.name === 'fact_extraction') {
        if (first) {
          first = false;
          return '{"facts": "not an array"}';
        }
        return JSON.stringify({ facts: ['Works at a bakery'] });
      }
      return JSON.stringify({ memory: [{ event: 'ADD', text: 'Works at a bakery' }] });
    };
    const retried = await add({ content: 'I work at a bakery', userId: 'kim' }).expect(201);
    expect(retried.body.results).toEqual([expect.objectContaining({ event: 'ADD', memory: 'Works at a bakery' })]);
  });

  it('answers 502 when the LLM server fails, and stores nothing', async () => {
    llm.script = () => ({ status: 500, body: JSON.stringify({ error: { message: 'model crashed' } }) });
    const res = await add({ content: 'I speak Finnish', userId: 'lea' }).expect(502);
    expect(res.body.code).toBe('LLM_FAILED');
    expect(await list('lea')).toEqual([]);
  });

  it('stores nothing when there is nothing worth remembering', async () => {
    script([], () => []);
    const res = await add({ content: 'hi there!', userId: 'max' }).expect(201);
    expect(res.body).toEqual({ results: [], inferred: true });
  });

  it('still stores text as given with infer=false', async () => {
    llm.script = () => {
      throw new Error('the LLM must not be called');
    };
    const res = await add({ content: 'Raw note', userId: 'ned', infer: false }).expect(201);
    expect(res.body).toMatchObject({ inferred: false, results: [{ event: 'ADD', memory: 'Raw note' }] });
  });

  it('reranks search results with the LLM when asked', async () => {
    for (const content of ['Olga likes tea', 'Olga likes coffee', 'Olga likes cocoa'])
      await add({ content, userId: 'olga', infer: false }).expect(201);
    const plain = (
      await t.http().post('/api/v1/search').set(auth()).send({ query: 'Olga likes', userId: 'olga' }).expect(200)
    ).body.results as { memory: string }[];
    llm.script = (request) => {
      const shown = existingIn(request);
      return JSON.stringify({ order: [...shown.keys()].reverse() });
    };
    const reranked = (
      await t
        .http()
        .post('/api/v1/search')
        .set(auth())
        .send({ query: 'Olga likes', userId: 'olga', rerank: true })
        .expect(200)
    ).body.results as { memory: string }[];
    expect(reranked.map((r) => r.memory)).toEqual(plain.map((r) => r.memory).reverse());
  });

  it('retries an async add whose LLM keeps failing, with backoff, and keeps the failed job with its error', async () => {
    llm.script = () => 'this is not JSON';
    const before = llm.requests.length;
    const socket = await connected(socketClient(t.url, owner.accessToken));
    try {
      const states: string[] = [];
      socket.on('job_progress', (e: { state: string }) => states.push(e.state));
      const res = await add({
        messages: [{ role: 'user', content: 'I adopted a cat named Miso' }],
        userId: 'retry-user',
        async: true,
      }).expect(202);
      const failed = await nextEvent<{ job_id: string; state: string; error: string }>(
        socket,
        'job_progress',
        (e) => e.job_id === res.body.jobId && e.state === 'failed',
        30_000,
      );
      expect(failed.error).toMatch(/LLM/);
      // Attempt 1 failed and waited (delayed) before attempt 2; the extraction call was tried twice per attempt.
      expect(states).toEqual(['active', 'delayed', 'active', 'failed']);
      expect(llm.requests.length - before).toBe(4);
      const job = (await t.http().get(`/api/v1/jobs/${res.body.jobId}`).set(auth()).expect(200)).body;
      expect(job).toEqual(
        expect.objectContaining({ state: 'failed', attempts: 2, maxAttempts: 2, error: expect.stringMatching(/LLM/) }),
      );
      expect(await list('retry-user')).toEqual([]);
    } finally {
      socket.disconnect();
    }
  });
});
