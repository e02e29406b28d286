import { randomUUID } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { FakeLlm, textOf } from './support/fake-llm.js';
import type { ChatReply, ChatRequest } from './support/fake-llm.js';
import { postSse } from './support/post-sse.js';
import { connected, eventually, nextEvent, SseClient, socketClient } from './support/realtime-clients.js';
import { bearer, expectErrorShape, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/** Whether a request is the memory pipeline's (structured output), not an agent turn's. */
const isExtraction = (r: ChatRequest) => r.response_format !== undefined;
const turnRequests = (llm: FakeLlm) => llm.requests.filter((r) => !isExtraction(r));
const systemOf = (r: ChatRequest) => textOf(r, 'system');

/** Tokens a chat request's prompt takes, counted the way the server's tokenizer counts. */
function promptTokens(r: ChatRequest): number {
  const messages = r.messages.reduce(
    (sum, m) =>
      sum +
      countTokens(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')) +
      countTokens(JSON.stringify(m.tool_calls ?? '')) +
      4,
    0,
  );
  return messages + countTokens(JSON.stringify(r.tools ?? []));
}

describe('agents: blocks, messages and the agent loop (fake OpenAI-compatible LLM)', () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  /** Replies to agent turns, in order; extraction requests get no facts. */
  let replies: ChatReply[] = [];

  const http = () => t.http();
  const as = (who: Registered) => bearer(who.accessToken);
  const createAgent = async (who: Registered, body: Record<string, unknown> = {}) =>
    (
      await http()
        .post('/api/v1/agents')
        .set(as(who))
        .send({ name: 'helper', ...body })
        .expect(201)
    ).body;
  const send = (who: Registered, agentId: string, body: Record<string, unknown>) =>
    http().post(`/api/v1/agents/${agentId}/messages`).set(as(who)).send(body);

  beforeAll(async () => {
    await llm.start();
    llm.script = (request) => {
      if (isExtraction(request))
        return request.response_format?.json_schema?.name === 'facts' ? '{"facts": []}' : '{"memory": []}';
      return replies.shift() ?? 'OK.';
    };
    t = await startTestApp({
      ...llm.env,
    });
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
  });
  beforeEach(() => {
    replies = [];
    llm.latencyMs = 0;
  });

  describe('agents and core memory blocks', () => {
    it('creates an agent with model settings and the default persona and human blocks', async () => {
      const agent = await createAgent(a, {
        system: 'Be brief.',
        model: { temperature: 0.2, contextWindow: 8000, maxTokens: 500, maxSteps: 4 },
        toolIds: [],
      });
      expect(agent).toEqual(
        expect.objectContaining({
          system: 'Be brief.',
          model: { temperature: 0.2, contextWindow: 8000, maxTokens: 500, maxSteps: 4 },
          toolIds: [],
          blocks: [
            expect.objectContaining({ label: 'persona', value: '', limit: 5000, readOnly: false }),
            expect.objectContaining({ label: 'human', value: '', limit: 5000 }),
          ],
        }),
      );
      const blocks = (await http().get(`/api/v1/agents/${agent.id}/blocks`).set(as(a)).expect(200)).body;
      expect(blocks.map((x: { label: string }) => x.label)).toEqual(['persona', 'human']);
      expect(
        (await http().get(`/api/v1/agents/${agent.id}/blocks/human`).set(as(a)).expect(200)).body.agentIds,
      ).toEqual([agent.id]);
    });

    it('refuses bad model settings and blocks naming the field, storing nothing', async () => {
      const before = (await http().get('/api/v1/agents').query({ limit: 100 }).set(as(a)).expect(200)).body.data.length;
      expect(
        (
          await http()
            .post('/api/v1/agents')
            .set(as(a))
            .send({ name: 'x', model: { temperature: 5 } })
            .expect(400)
        ).body.message,
      ).toMatch(/model.temperature/);
      expect(
        (
          await http()
            .post('/api/v1/agents')
            .set(as(a))
            .send({ name: 'x', model: { provider: 'anthropic', model: 'claude' } })
            .expect(400)
        ).body.message,
      ).toMatch(/model.provider anthropic is not configured/);
      expect(
        (
          await http()
            .post('/api/v1/agents')
            .set(as(a))
            .send({ name: 'x', model: { maxTokens: 4000, contextWindow: 2000 } })
            .expect(400)
        ).body.message,
      ).toMatch(/model.maxTokens/);
      expect(
        (
          await http()
            .post('/api/v1/agents')
            .set(as(a))
            .send({ name: 'x', toolIds: ['nope'] })
            .expect(400)
        ).body.message,
      ).toMatch(/toolIds/);
      const overLimit = await http()
        .post('/api/v1/agents')
        .set(as(a))
        .send({ name: 'x', blocks: [{ label: 'notes', value: 'x'.repeat(11), limit: 10 }] })
        .expect(400);
      expect(overLimit.body.message).toMatch(/blocks\.0\.value .*11 characters; its limit is 10/);
      expect(
        (
          await http()
            .post('/api/v1/agents')
            .set(as(a))
            .send({ name: 'x', blocks: [{ label: '1 bad label' }] })
            .expect(400)
        ).body.message,
      ).toMatch(/label/);
      expect(
        (
          await http()
            .post('/api/v1/agents')
            .set(as(a))
            .send({ name: 'x', blocks: [{ label: 'a' }, { label: 'a' }] })
            .expect(409)
        ).body.message,
      ).toMatch(/twice/);
      expect((await http().get('/api/v1/agents').query({ limit: 100 }).set(as(a)).expect(200)).body.data.length).toBe(
        before,
      );
    });

    it('enforces a block’s limit on API edits with a 400 that says the limit, leaving the value as it was', async () => {
      const agent = await createAgent(a, { blocks: [{ label: 'human', value: 'Name: Bo', limit: 20 }] });
      const res = await http()
        .patch(`/api/v1/agents/${agent.id}/blocks/human`)
        .set(as(a))
        .send({ value: 'y'.repeat(21) })
        .expect(400);
      expectErrorShape(res.body, 400);
      expect(res.body.message).toMatch(/limit is 20/);
      expect(
        (await http().patch(`/api/v1/agents/${agent.id}/blocks/human`).set(as(a)).send({ limit: 5 }).expect(400)).body
          .message,
      ).toMatch(/limit is 5/);
      expect((await http().get(`/api/v1/agents/${agent.id}/blocks/human`).set(as(a)).expect(200)).body).toEqual(
        expect.objectContaining({ value: 'Name: Bo', limit: 20 }),
      );
      const ok = await http()
        .patch(`/api/v1/agents/${agent.id}/blocks/human`)
        .set(as(a))
        .send({ value: 'Name: Bo Li', description: 'the user' })
        .expect(200);
      expect(ok.body).toEqual(expect.objectContaining({ value: 'Name: Bo Li', description: 'the user' }));
    });

    it('shares a standalone block between agents: attach, edit once, seen by both, detach, delete', async () => {
      const one = await createAgent(a, { blocks: [] });
      const two = await createAgent(a, { blocks: [] });
      const shared = (
        await http()
          .post('/api/v1/blocks')
          .set(as(a))
          .send({ label: 'company', value: 'ACME sells anvils.', readOnly: true })
          .expect(201)
      ).body;
      await http().patch(`/api/v1/agents/${one.id}/blocks/attach/${shared.id}`).set(as(a)).expect(200);
      const attached = await http().patch(`/api/v1/agents/${two.id}/blocks/attach/${shared.id}`).set(as(a)).expect(200);
      expect(attached.body.blocks).toEqual([expect.objectContaining({ id: shared.id, label: 'company' })]);
      await http()
        .patch(`/api/v1/blocks/${shared.id}`)
        .set(as(a))
        .send({ value: 'ACME sells anvils and rockets.' })
        .expect(200);
      for (const agent of [one, two])
        expect((await http().get(`/api/v1/agents/${agent.id}/blocks/company`).set(as(a)).expect(200)).body.value).toBe(
          'ACME sells anvils and rockets.',
        );
      expect((await http().get('/api/v1/blocks').query({ label: 'company' }).set(as(a)).expect(200)).body.data).toEqual(
        [expect.objectContaining({ id: shared.id, agentIds: [one.id, two.id] })],
      );
      // The agent list carries each agent's blocks, shared ones with every agent holding them.
      const listed = (await http().get('/api/v1/agents').query({ limit: 100 }).set(as(a)).expect(200)).body.data as {
        id: string;
        blocks: { id: string; agentIds: string[] }[];
      }[];
      for (const agent of [one, two])
        expect(listed.find((x) => x.id === agent.id)?.blocks).toEqual([
          expect.objectContaining({
            id: shared.id,
            value: 'ACME sells anvils and rockets.',
            agentIds: [one.id, two.id],
          }),
        ]);
      expect(
        listed
          .filter((x) => x.id !== one.id && x.id !== two.id)
          .every((x) => x.blocks.every((blk) => blk.id !== shared.id)),
      ).toBe(true);
      // A second block of the same label on one agent is refused.
      const other = (
        await http().post('/api/v1/blocks').set(as(a)).send({ label: 'company', value: 'Other' }).expect(201)
      ).body;
      expect(
        (await http().patch(`/api/v1/agents/${one.id}/blocks/attach/${other.id}`).set(as(a)).expect(409)).body.message,
      ).toMatch(/company/);
      await http().patch(`/api/v1/agents/${one.id}/blocks/detach/${shared.id}`).set(as(a)).expect(200);
      expect((await http().get(`/api/v1/blocks/${shared.id}`).set(as(a)).expect(200)).body.agentIds).toEqual([two.id]);
      await http().delete(`/api/v1/blocks/${shared.id}`).set(as(a)).expect(204);
      expect((await http().get(`/api/v1/agents/${two.id}`).set(as(a)).expect(200)).body.blocks).toEqual([]);
    });

    it('deletes an agent’s messages with it and detaches (keeps) its blocks', async () => {
      const agent = await createAgent(a);
      replies = ['Hello!'];
      await send(a, agent.id, { messages: [{ content: 'hi' }] }).expect(200);
      const blockIds = agent.blocks.map((x: { id: string }) => x.id);
      await http().delete(`/api/v1/agents/${agent.id}`).set(as(a)).expect(204);
      await http().get(`/api/v1/agents/${agent.id}/messages`).set(as(a)).expect(404);
      for (const id of blockIds)
        expect((await http().get(`/api/v1/blocks/${id}`).set(as(a)).expect(200)).body.agentIds).toEqual([]);
    });
  });

  describe('the agent loop', () => {
    it('runs core_memory_replace: the block changes and the next turn’s prompt holds the new value', async () => {
      const agent = await createAgent(a, {
        blocks: [
          { label: 'human', value: 'Name: unknown' },
          { label: 'persona', value: 'I am Sam.' },
        ],
      });
      replies = [
        {
          toolCalls: [
            {
              name: 'core_memory_replace',
              arguments: { label: 'human', old_content: 'Name: unknown', new_content: 'Name: Alice' },
            },
          ],
        },
        'Nice to meet you, Alice!',
      ];
      const before = llm.requests.length;
      const turn = await send(a, agent.id, {
        messages: [{ role: 'user', content: 'Hi, I am Alice.' }],
        userId: 'alice',
      }).expect(200);
      expect(turn.body.messages.map((m: { role: string }) => m.role)).toEqual([
        'user',
        'assistant',
        'tool',
        'assistant',
      ]);
      expect(turn.body.messages[1].toolCalls).toEqual([
        expect.objectContaining({
          name: 'core_memory_replace',
          arguments: { label: 'human', old_content: 'Name: unknown', new_content: 'Name: Alice' },
        }),
      ]);
      expect(turn.body.messages[2]).toEqual(
        expect.objectContaining({ toolCallId: turn.body.messages[1].toolCalls[0].id, toolName: 'core_memory_replace' }),
      );
      expect(turn.body.messages[3].content).toBe('Nice to meet you, Alice!');
      expect(turn.body.usage).toEqual({ promptTokens: 20, completionTokens: 20, steps: 2 });
      const first = turnRequests({ requests: llm.requests.slice(before) } as FakeLlm)[0];
      expect(systemOf(first)).toContain('Name: unknown');
      expect(first.tools?.map((x) => x.function.name)).toEqual([
        'core_memory_append',
        'core_memory_replace',
        'archival_memory_insert',
        'archival_memory_search',
        'conversation_search',
      ]);
      expect((await http().get(`/api/v1/agents/${agent.id}/blocks/human`).set(as(a)).expect(200)).body.value).toBe(
        'Name: Alice',
      );

      replies = ['Yes, Alice.'];
      const mark = llm.requests.length;
      await send(a, agent.id, { messages: [{ content: 'Do you remember my name?' }], userId: 'alice' }).expect(200);
      const next = turnRequests({ requests: llm.requests.slice(mark) } as FakeLlm)[0];
      expect(systemOf(next)).toContain('Name: Alice');
      expect(systemOf(next)).not.toContain('Name: unknown');
      // The previous turn (with its tool call) is in the conversation it sees.
      expect(next.messages.some((m) => m.role === 'tool')).toBe(true);
      expect(textOf(next, 'assistant')).toContain('Nice to meet you, Alice!');
    });

    it('runs archival_memory_insert then archival_memory_search, which finds what was inserted', async () => {
      const agent = await createAgent(a);
      replies = [
        { toolCalls: [{ name: 'archival_memory_insert', arguments: { content: "Alice's cat is called Miso." } }] },
        { toolCalls: [{ name: 'archival_memory_search', arguments: { query: 'cat called' } }] },
        'Your cat is Miso.',
      ];
      const turn = await send(a, agent.id, {
        messages: [{ content: 'Remember: my cat is Miso. What is my cat called?' }],
        userId: 'alice-archive',
      }).expect(200);
      const tools = turn.body.messages.filter((m: { role: string }) => m.role === 'tool');
      expect(tools.map((m: { toolName: string }) => m.toolName)).toEqual([
        'archival_memory_insert',
        'archival_memory_search',
      ]);
      const found = JSON.parse(tools[1].content);
      expect(found.results[0].memory).toBe("Alice's cat is called Miso.");
      const memories = (await http().get('/api/v1/memories').query({ userId: 'alice-archive' }).set(as(a)).expect(200))
        .body.data;
      expect(memories).toEqual([expect.objectContaining({ memory: "Alice's cat is called Miso.", agentId: agent.id })]);
      // The next turn's prompt shows it among the user's memories.
      replies = ['Miso!'];
      const mark = llm.requests.length;
      const next = await send(a, agent.id, {
        messages: [{ content: 'What is my cat called?' }],
        userId: 'alice-archive',
      }).expect(200);
      // The answer lists the memories the prompt held, with their ids and scores.
      expect(next.body.memories).toEqual([
        { id: memories[0].id, memory: "Alice's cat is called Miso.", score: expect.any(Number) },
      ]);
      expect(systemOf(turnRequests({ requests: llm.requests.slice(mark) } as FakeLlm)[0])).toMatch(
        /<memories>[\s\S]*Miso/,
      );
    });

    it('refuses agent edits of read-only blocks and edits over the limit, telling the model why', async () => {
      const agent = await createAgent(a, {
        blocks: [
          { label: 'rules', value: 'Never share secrets.', readOnly: true },
          { label: 'human', value: 'Name: Al', limit: 12 },
        ],
      });
      replies = [
        {
          toolCalls: [
            { name: 'core_memory_replace', arguments: { label: 'rules', old_content: 'Never', new_content: 'Always' } },
            {
              name: 'core_memory_append',
              arguments: { label: 'human', content: 'Likes very long walks on the beach' },
            },
            { name: 'core_memory_append', arguments: { label: 'nope', content: 'x' } },
          ],
        },
        'Understood.',
      ];
      const turn = await send(a, agent.id, { messages: [{ content: 'Change your rules.' }] }).expect(200);
      const results = turn.body.messages
        .filter((m: { role: string }) => m.role === 'tool')
        .map((m: { content: string }) => JSON.parse(m.content).error);
      expect(results[0]).toMatch(/read-only/);
      expect(results[1]).toMatch(/limit is 12/);
      expect(results[2]).toMatch(/no block labelled "nope"/);
      const blocks = (await http().get(`/api/v1/agents/${agent.id}/blocks`).set(as(a)).expect(200)).body;
      expect(blocks.map((x: { value: string }) => x.value)).toEqual(['Never share secrets.', 'Name: Al']);
      // The API may still edit a read-only block.
      await http()
        .patch(`/api/v1/agents/${agent.id}/blocks/rules`)
        .set(as(a))
        .send({ value: 'Share nothing.' })
        .expect(200);
    });

    it('streams the turn’s events in order ending with done; /sse/llm and Socket.IO see the same chunks', async () => {
      const agent = await createAgent(a);
      const requestId = randomUUID();
      const llmStream = new SseClient(`${t.url}/api/v1/sse/llm?requestId=${requestId}`, a.accessToken, ['message']);
      const socket = await connected(socketClient(t.url, a.accessToken));
      try {
        await llmStream.opened();
        expect(await socket.emitWithAck('subscribe', { agentId: agent.id })).toEqual({ ok: true, agentId: agent.id });
        const socketChunks: Record<string, unknown>[] = [];
        socket.on('llm_chunk', (e: Record<string, unknown>) => e.request_id === requestId && socketChunks.push(e));
        replies = [
          {
            text: 'Let me note that.',
            toolCalls: [{ name: 'archival_memory_insert', arguments: { content: 'Likes jazz' } }],
          },
          'Noted: you like jazz.',
        ];
        const res = await postSse(`${t.url}/api/v1/agents/${agent.id}/messages`, a.accessToken, {
          messages: [{ content: 'I like jazz.' }],
          stream: true,
          requestId,
          userId: 'streamer',
        });
        expect(res.status).toBe(200);
        const types = res.events.map((e) => e.event);
        expect(types).toEqual([
          'memories',
          'message',
          'assistant_delta',
          'assistant_delta',
          'assistant_delta',
          'assistant_delta',
          'message',
          'tool_call',
          'tool_result',
          'message',
          'assistant_delta',
          'assistant_delta',
          'assistant_delta',
          'assistant_delta',
          'message',
          'usage',
          'done',
        ]);
        expect(res.events.map((e) => e.data.type)).toEqual(types);
        expect(
          res.events
            .filter((e) => e.event === 'assistant_delta')
            .map((e) => e.data.text)
            .join(''),
        ).toBe('Let me note that.Noted: you like jazz.');
        expect(
          res.events.filter((e) => e.event === 'message').map((e) => (e.data.message as { role: string }).role),
        ).toEqual(['user', 'assistant', 'tool', 'assistant']);
        expect(res.events.find((e) => e.event === 'tool_result')?.data).toEqual(
          expect.objectContaining({ name: 'archival_memory_insert', status: 'ok' }),
        );
        expect(res.events.at(-1)?.data).toEqual({ type: 'done', requestId });
        await llmStream.next((m) => m.data.is_final === true);
        const chunks = llmStream.messages.map((m) => m.data);
        expect(chunks.map((c) => c.chunk)).toEqual(res.events.map((e) => e.data));
        expect(chunks.every((c) => c.request_id === requestId)).toBe(true);
        expect(chunks.map((c) => c.is_final)).toEqual([...res.events.slice(1).map(() => false), true]);
        await eventually(() => socketChunks.length === res.events.length, 5000, 'every chunk on the socket');
        expect(socketChunks.map((c) => c.chunk)).toEqual(res.events.map((e) => e.data));
        // The same turn's messages are in the log.
        const log = (
          await http().get(`/api/v1/agents/${agent.id}/messages`).query({ userId: 'streamer' }).set(as(a)).expect(200)
        ).body.data;
        expect(log.map((m: { requestId: string }) => m.requestId)).toEqual([
          requestId,
          requestId,
          requestId,
          requestId,
        ]);
      } finally {
        llmStream.close();
        socket.disconnect();
      }
    });

    it('streams from POST …/messages/stream too, and ends an LLM failure with an error event', async () => {
      const agent = await createAgent(a);
      replies = ['Streaming works.'];
      const ok = await postSse(`${t.url}/api/v1/agents/${agent.id}/messages/stream`, a.accessToken, {
        messages: [{ content: 'hello' }],
      });
      expect(ok.events.map((e) => e.event).at(-1)).toBe('done');
      replies = [
        { status: 500, body: JSON.stringify({ error: { message: 'model crashed' } }) },
        { status: 500, body: JSON.stringify({ error: { message: 'model crashed' } }) },
      ];
      const failed = await postSse(`${t.url}/api/v1/agents/${agent.id}/messages/stream`, a.accessToken, {
        messages: [{ content: 'hello again' }],
      });
      expect(failed.events.at(-1)).toEqual(
        expect.objectContaining({
          event: 'error',
          data: expect.objectContaining({
            type: 'error',
            code: 'LLM_FAILED',
            message: expect.stringMatching(/model crashed/),
          }),
        }),
      );
      replies = [
        { status: 500, body: JSON.stringify({ error: { message: 'model crashed' } }) },
        { status: 500, body: JSON.stringify({ error: { message: 'model crashed' } }) },
      ];
      expect((await send(a, agent.id, { messages: [{ content: 'and again' }] }).expect(502)).body.message).toMatch(
        /model crashed/,
      );
    });

    it('never exceeds the context window: a conversation of 500 long messages still answers', async () => {
      const window = 2048;
      const agent = await createAgent(a, { model: { contextWindow: window, maxTokens: 256 } });
      const long = (i: number, who: string) =>
        `${who} message ${i}: ` + 'the quick brown fox jumps over the lazy dog and keeps running far away '.repeat(6);
      let turn = 0;
      let largest = 0;
      const script = llm.script;
      llm.script = (request) => {
        if (isExtraction(request)) return script(request);
        largest = Math.max(largest, promptTokens(request) + (request.max_tokens ?? 0));
        return long(turn, 'assistant');
      };
      try {
        // 100 turns of four user messages and one answer: 500 messages, each ~90 tokens.
        for (turn = 0; turn < 100; turn++) {
          const messages = [0, 1, 2, 3].map((j) => ({ content: long(turn * 4 + j, 'user') }));
          await send(a, agent.id, { messages, userId: 'talker' }).expect(200);
        }
        const last = turnRequests(llm).at(-1)!;
        expect(largest).toBeLessThanOrEqual(window);
        expect(systemOf(last)).toMatch(/earlier message\(s\) of this conversation are not shown/);
        expect(textOf(last, 'user')).toContain('user message 399');
        expect(textOf(last, 'user')).not.toContain('user message 0:');
        const count = async () => {
          let n = 0;
          let cursor: string | undefined;
          do {
            const page = (
              await http()
                .get(`/api/v1/agents/${agent.id}/messages`)
                .query({ limit: 100, ...(cursor ? { cursor } : {}) })
                .set(as(a))
                .expect(200)
            ).body;
            n += page.data.length;
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          return n;
        };
        expect(await count()).toBe(500);
        // An input that cannot fit at all is refused before anything is stored.
        const huge = await send(a, agent.id, {
          messages: [{ content: 'word '.repeat(3000) }],
          userId: 'talker',
        }).expect(400);
        expect(huge.body.message).toMatch(/context window \(2048 tokens\)/);
        expect(await count()).toBe(500);
      } finally {
        llm.script = script;
      }
    }, 240_000);

    it('serializes two concurrent turns of the same agent and user', async () => {
      const agent = await createAgent(a);
      llm.latencyMs = 150;
      replies = ['First answer.', 'Second answer.'];
      const mark = llm.requests.length;
      const [one, two] = await Promise.all([
        send(a, agent.id, { messages: [{ content: 'first question' }], userId: 'same' }).expect(200),
        send(a, agent.id, { messages: [{ content: 'second question' }], userId: 'same' }).expect(200),
      ]);
      const requests = turnRequests({ requests: llm.requests.slice(mark) } as FakeLlm);
      expect(requests).toHaveLength(2);
      // The second call saw the whole first turn: question and answer, not a half-finished one.
      const firstAnswer = [one, two].find((r) => r.body.messages[1].content === 'First answer.')!;
      const secondPrompt = textOf(requests[1], 'user') + textOf(requests[1], 'assistant');
      expect(secondPrompt).toContain(firstAnswer.body.messages[0].content);
      expect(secondPrompt).toContain('First answer.');
      const log = (
        await http().get(`/api/v1/agents/${agent.id}/messages`).query({ userId: 'same' }).set(as(a)).expect(200)
      ).body.data;
      expect(log.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    });

    it('keeps the log with cursor pagination, userId and runId filters, and message events', async () => {
      const agent = await createAgent(a);
      const socket = await connected(socketClient(t.url, a.accessToken));
      try {
        expect(await socket.emitWithAck('subscribe', { agentId: agent.id })).toEqual({ ok: true, agentId: agent.id });
        const event = nextEvent<{ role: string; content: string; agent_id: string }>(
          socket,
          'message',
          (e) => e.role === 'assistant',
        );
        replies = ['one', 'two', 'three'];
        await send(a, agent.id, { messages: [{ content: 'u1' }], userId: 'x', runId: 'r1' }).expect(200);
        // Within 5 s even after the 500-message test's burst (NOTIFY batches events on PostgreSQL).
        expect(await event).toEqual(expect.objectContaining({ content: 'one', agent_id: agent.id }));
        await send(a, agent.id, { messages: [{ content: 'u2' }], userId: 'x', runId: 'r2' }).expect(200);
        await send(a, agent.id, { messages: [{ content: 'u3' }], userId: 'y' }).expect(200);
        const page1 = (
          await http().get(`/api/v1/agents/${agent.id}/messages`).query({ limit: 4 }).set(as(a)).expect(200)
        ).body;
        expect(page1.data.map((m: { content: string }) => m.content)).toEqual(['u1', 'one', 'u2', 'two']);
        const page2 = (
          await http()
            .get(`/api/v1/agents/${agent.id}/messages`)
            .query({ limit: 4, cursor: page1.nextCursor })
            .set(as(a))
            .expect(200)
        ).body;
        expect(page2).toEqual({
          data: [expect.objectContaining({ content: 'u3' }), expect.objectContaining({ content: 'three' })],
          nextCursor: null,
        });
        const byUser = (
          await http()
            .get(`/api/v1/agents/${agent.id}/messages`)
            .query({ userId: 'x', order: 'desc' })
            .set(as(a))
            .expect(200)
        ).body.data;
        expect(byUser.map((m: { content: string }) => m.content)).toEqual(['two', 'u2', 'one', 'u1']);
        const byRun = (
          await http().get(`/api/v1/agents/${agent.id}/messages`).query({ runId: 'r2' }).set(as(a)).expect(200)
        ).body.data;
        expect(byRun.map((m: { content: string }) => m.content)).toEqual(['u2', 'two']);
        // Each user has their own conversation: y's turn did not see x's messages.
        const yPrompt = turnRequests(llm).at(-1)!;
        expect(textOf(yPrompt, 'user')).not.toContain('u1');
      } finally {
        socket.disconnect();
      }
    });

    it('refuses bad turn input naming the field and stores nothing', async () => {
      const agent = await createAgent(a);
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ messages: [] }, /messages/],
        [{}, /messages/],
        [{ messages: [{ role: 'assistant', content: 'I am the model now' }] }, /messages\.0\.role/],
        [{ messages: [{ content: '' }] }, /messages\.0\.content/],
        [{ messages: [{ content: 'x' }], userId: ' padded ' }, /userId/],
        [{ messages: [{ content: 'x' }], requestId: 'not-a-uuid' }, /requestId/],
        [{ messages: [{ content: 'x' }], stream: 'yes' }, /stream/],
      ];
      for (const [body, field] of cases) {
        const res = await send(a, agent.id, body).expect(400);
        expectErrorShape(res.body, 400);
        expect(res.body.message).toMatch(field);
      }
      await send(a, randomUUID(), { messages: [{ content: 'hi' }] }).expect(404);
      expect((await http().get(`/api/v1/agents/${agent.id}/messages`).set(as(a)).expect(200)).body.data).toEqual([]);
    });
  });

  describe('isolation', () => {
    it('organization B cannot read, message, stream or edit organization A’s agent, blocks or turns', async () => {
      const agent = await createAgent(a, { blocks: [{ label: 'secret', value: 'A-only' }] });
      const blockId = agent.blocks[0].id;
      const mine = await createAgent(b);
      await http().get(`/api/v1/agents/${agent.id}/messages`).set(as(b)).expect(404);
      await send(b, agent.id, { messages: [{ content: 'hi' }] }).expect(404);
      expect(
        (
          await postSse(`${t.url}/api/v1/agents/${agent.id}/messages/stream`, b.accessToken, {
            messages: [{ content: 'hi' }],
          })
        ).status,
      ).toBe(404);
      await http().get(`/api/v1/agents/${agent.id}/blocks`).set(as(b)).expect(404);
      await http().get(`/api/v1/agents/${agent.id}/blocks/secret`).set(as(b)).expect(404);
      await http().patch(`/api/v1/agents/${agent.id}/blocks/secret`).set(as(b)).send({ value: 'pwned' }).expect(404);
      await http().get(`/api/v1/blocks/${blockId}`).set(as(b)).expect(404);
      await http().patch(`/api/v1/blocks/${blockId}`).set(as(b)).send({ value: 'pwned' }).expect(404);
      await http().delete(`/api/v1/blocks/${blockId}`).set(as(b)).expect(404);
      // Attaching A's block to B's own agent would put A's text in B's prompts.
      await http().patch(`/api/v1/agents/${mine.id}/blocks/attach/${blockId}`).set(as(b)).expect(404);
      await http().patch(`/api/v1/agents/${agent.id}/blocks/detach/${blockId}`).set(as(b)).expect(404);
      expect(
        (await http().get('/api/v1/blocks').set(as(b)).expect(200)).body.data.map((x: { id: string }) => x.id),
      ).not.toContain(blockId);
      // B listening to A's turn by its request id hears nothing.
      const requestId = randomUUID();
      const spy = new SseClient(`${t.url}/api/v1/sse/llm?requestId=${requestId}`, b.accessToken, ['message']);
      try {
        await spy.opened();
        replies = ['for A only'];
        await send(a, agent.id, { messages: [{ content: 'hi' }], requestId }).expect(200);
        const own = new SseClient(`${t.url}/api/v1/sse/llm?requestId=${requestId}`, a.accessToken, ['message']);
        await own.next((m) => m.data.is_final === true);
        own.close();
        expect(spy.messages).toEqual([]);
      } finally {
        spy.close();
      }
      expect((await http().get(`/api/v1/agents/${agent.id}/blocks/secret`).set(as(a)).expect(200)).body.value).toBe(
        'A-only',
      );
    });
  });
});

describe('agent turns without an LLM', () => {
  let t: TestApp;
  let a: Registered;
  beforeAll(async () => {
    t = await startTestApp();
    a = await register(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 naming the variables to set, and stores nothing', async () => {
    const agent = (await t.http().post('/api/v1/agents').set(bearer(a.accessToken)).send({ name: 'mute' }).expect(201))
      .body;
    const res = await t
      .http()
      .post(`/api/v1/agents/${agent.id}/messages`)
      .set(bearer(a.accessToken))
      .send({ messages: [{ content: 'hello?' }] })
      .expect(503);
    expectErrorShape(res.body, 503);
    expect(res.body.message).toMatch(/LLM_PROVIDER/);
    expect(res.body.message).toMatch(/LLM_MODEL/);
    expect(
      (
        await postSse(`${t.url}/api/v1/agents/${agent.id}/messages/stream`, a.accessToken, {
          messages: [{ content: 'hello?' }],
        })
      ).status,
    ).toBe(503);
    expect(
      (await t.http().get(`/api/v1/agents/${agent.id}/messages`).set(bearer(a.accessToken)).expect(200)).body.data,
    ).toEqual([]);
  });
});
