import Letta, {
  toFile,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
} from '@letta-ai/letta-client';
import { FakeLlm } from './support/fake-llm.js';
import type { ChatReply, ChatRequest } from './support/fake-llm.js';
import { bearer, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/** Whether a request is the memory pipeline's (structured output), not an agent turn's. */
const isExtraction = (r: ChatRequest) => r.response_format !== undefined;

/** The fields of Letta's messages these tests read (the client's union, flattened). */
interface LettaMessage {
  id: string;
  message_type?: string;
  content?: unknown;
  reasoning?: string;
  tool_call?: { name?: string | null; arguments?: string | null; tool_call_id?: string | null };
  tool_return?: string;
  status?: string;
  stop_reason?: string;
  completion_tokens?: number;
}

/**
 * Letta's official client (`@letta-ai/letta-client` 1.12.1), unchanged, pointed at this server
 * by its baseURL with an AgentMem API key: what a user of Letta's archived self-hosted server
 * does, and must get.
 */
describe("Letta's client against AgentMem", () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let owner: Registered;
  let client: Letta;
  let readKey: string;
  /** Replies to agent turns, in order; extraction requests get no facts. */
  let replies: ChatReply[] = [];

  const makeKey = async (token: string, scopes: string[]) =>
    (await t.http().post('/api/v1/api-keys').set(bearer(token)).send({ name: 'letta', scopes }).expect(201)).body
      .key as string;
  const clientWith = (apiKey: string | null) => new Letta({ baseURL: t.url, apiKey, maxRetries: 0 });
  const createAgent = (name: string) =>
    client.agents.create({
      name,
      memory_blocks: [
        { label: 'persona', value: 'I am a careful assistant.' },
        { label: 'human', value: 'Name: Alice.', limit: 2000 },
      ],
    });
  /** The message of an error answer the client raised. */
  const messageOf = (e: unknown) => ((e as BadRequestError).error as { message: string }).message;
  const error = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (e) {
      return e;
    }
    throw new Error('expected the call to fail');
  };

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
    owner = await register(t, 'Letta users');
    client = clientWith(await makeKey(owner.accessToken, ['read', 'write']));
    readKey = await makeKey(owner.accessToken, ['read']);
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
  });
  beforeEach(() => {
    replies = [];
  });

  it('answers the health check', async () => {
    expect(await client.health()).toEqual(expect.objectContaining({ status: 'ok' }));
  });

  it('creates an agent with two memory blocks, a model handle, tags and metadata', async () => {
    const agent = await client.agents.create({
      name: 'support',
      system: 'Be brief.',
      model: 'openai-compatible/fake-model',
      context_window_limit: 16000,
      include_base_tools: true,
      tags: ['support', 'eu'],
      metadata: { team: 'care' },
      memory_blocks: [
        { label: 'persona', value: 'I am a careful assistant.' },
        { label: 'human', value: 'Name: Alice.', limit: 2000, read_only: true },
      ],
    });
    expect(agent).toEqual(
      expect.objectContaining({
        name: 'support',
        system: 'Be brief.',
        model: 'openai-compatible/fake-model',
        tags: ['support', 'eu'],
        metadata: { team: 'care' },
        tools: [],
      }),
    );
    expect(agent.llm_config).toEqual(expect.objectContaining({ model: 'fake-model', context_window: 16000 }));
    expect(agent.blocks.map((b) => [b.label, b.value, b.limit, b.read_only])).toEqual([
      ['persona', 'I am a careful assistant.', 5000, false],
      ['human', 'Name: Alice.', 2000, true],
    ]);
    expect(agent.memory.blocks).toEqual(agent.blocks);
    expect(await client.agents.retrieve(agent.id)).toEqual(agent);
  });

  it('updates an agent: name, model, tags, metadata, and its blocks replaced by block_ids', async () => {
    const agent = await createAgent('before');
    const notes = await client.blocks.create({ label: 'notes', value: 'Likes tea.' });
    const updated = await client.agents.update(agent.id, {
      name: 'after',
      model: 'letta/letta-free',
      max_tokens: 512,
      tags: ['vip'],
      metadata: { tier: 'gold' },
      block_ids: [agent.blocks[1].id!, notes.id],
    });
    expect(updated).toEqual(
      expect.objectContaining({
        name: 'after',
        model: 'openai-compatible/fake-model',
        tags: ['vip'],
        metadata: { tier: 'gold' },
      }),
    );
    expect(updated.llm_config.max_tokens).toBe(512);
    expect(updated.blocks.map((x) => x.label)).toEqual(['human', 'notes']);
    // The detached block is kept.
    expect((await client.blocks.retrieve(agent.blocks[0].id!)).label).toBe('persona');
    // Tags stay when only metadata changes.
    expect((await client.agents.update(agent.id, { metadata: {} })).tags).toEqual(['vip']);
  });

  it('refuses a model of an unknown provider with a 400 naming model', async () => {
    const e = await error(client.agents.create({ name: 'x', model: 'nowhere/model' }));
    expect(e).toBeInstanceOf(BadRequestError);
    expect(messageOf(e)).toMatch(/model: provider "nowhere"/);
  });

  it('lists agents as arrays, a page at a time by after, newest first', async () => {
    const org = await register(t, 'Paging');
    const paging = clientWith(await makeKey(org.accessToken, ['read', 'write']));
    const created = [];
    for (const name of ['first', 'second', 'third']) created.push(await paging.agents.create({ name }));

    const first = await paging.agents.list({ limit: 1 });
    expect(first.getPaginatedItems().map((a) => a.name)).toEqual(['third']);
    const second = await paging.agents.list({ limit: 1, after: created[2].id });
    expect(second.getPaginatedItems().map((a) => a.name)).toEqual(['second']);
    const ascending = await paging.agents.list({ limit: 2, order: 'asc' });
    expect(ascending.getPaginatedItems().map((a) => a.name)).toEqual(['first', 'second']);
    const before = await paging.agents.list({ limit: 5, order: 'asc', before: created[2].id });
    expect(before.getPaginatedItems().map((a) => a.name)).toEqual(['first', 'second']);

    // By tags: any of them, or all with match_all_tags.
    await paging.agents.update(created[0].id, { tags: ['eu', 'vip'] });
    await paging.agents.update(created[1].id, { tags: ['eu'] });
    const eu = await paging.agents.list({ tags: ['eu'], order: 'asc' });
    expect(eu.getPaginatedItems().map((a) => a.name)).toEqual(['first', 'second']);
    const both = await paging.agents.list({ tags: ['eu', 'vip'], match_all_tags: true });
    expect(both.getPaginatedItems().map((a) => a.name)).toEqual(['first']);

    // The client's own iteration follows the pages to the end.
    const names: string[] = [];
    for await (const agent of paging.agents.list({ limit: 1 })) names.push(agent.name);
    expect(names).toEqual(['third', 'second', 'first']);
  });

  it('reads and updates a core memory block by label', async () => {
    const agent = await createAgent('blocks');
    const human = await client.agents.blocks.retrieve('human', { agent_id: agent.id });
    expect(human).toEqual(expect.objectContaining({ label: 'human', value: 'Name: Alice.', limit: 2000 }));

    const updated = await client.agents.blocks.update('human', {
      agent_id: agent.id,
      value: 'Name: Alice. Lives in Berlin.',
    });
    expect(updated.value).toBe('Name: Alice. Lives in Berlin.');
    const listed = await client.agents.blocks.list(agent.id);
    expect(listed.getPaginatedItems().map((b) => [b.label, b.value])).toEqual([
      ['persona', 'I am a careful assistant.'],
      ['human', 'Name: Alice. Lives in Berlin.'],
    ]);

    const missing = await error(client.agents.blocks.retrieve('nope', { agent_id: agent.id }));
    expect(missing).toBeInstanceOf(NotFoundError);
    const tooLong = await error(client.agents.blocks.update('human', { agent_id: agent.id, value: 'x'.repeat(2001) }));
    expect(tooLong).toBeInstanceOf(BadRequestError);
    expect(messageOf(tooLong)).toMatch(/limit is 2000/);
  });

  it('creates a shared block and attaches it to two agents, then detaches it', async () => {
    const a = await createAgent('shared-a');
    const b = await createAgent('shared-b');
    const policy = await client.blocks.create({ label: 'policy', value: 'Refunds within 30 days.' });
    expect(await client.blocks.retrieve(policy.id)).toEqual(expect.objectContaining({ label: 'policy' }));

    const withA = await client.agents.blocks.attach(policy.id, { agent_id: a.id });
    expect(withA.blocks.map((x) => x.label)).toEqual(['persona', 'human', 'policy']);
    await client.agents.blocks.attach(policy.id, { agent_id: b.id });
    const sharers = await client.blocks.agents.list(policy.id);
    expect(sharers.getPaginatedItems().map((x) => x.id)).toEqual([a.id, b.id]);

    await client.blocks.update(policy.id, { value: 'Refunds within 14 days.' });
    const seenByB = await client.agents.blocks.retrieve('policy', { agent_id: b.id });
    expect(seenByB.value).toBe('Refunds within 14 days.');

    const withoutA = await client.agents.blocks.detach(policy.id, { agent_id: a.id });
    expect(withoutA.blocks.map((x) => x.label)).toEqual(['persona', 'human']);
    expect((await client.blocks.list({ label: 'policy' })).getPaginatedItems().map((x) => x.id)).toEqual([policy.id]);
    await client.blocks.delete(policy.id);
    expect(await error(client.blocks.retrieve(policy.id))).toBeInstanceOf(NotFoundError);
  });

  it("inserts archival passages into the agent's memories, finds one by search, and deletes it", async () => {
    const agent = await createAgent('archive');
    const [passage] = await client.agents.passages.create(agent.id, {
      text: "Alice's birthday is on 3 March.",
      tags: ['personal'],
    });
    expect(passage).toEqual(expect.objectContaining({ text: "Alice's birthday is on 3 March.", tags: ['personal'] }));
    await client.agents.passages.create(agent.id, { text: 'The office moved to Alexanderplatz.' });

    const found = await client.agents.passages.search(agent.id, { query: 'birthday' });
    // Best first (the next passage may follow: it was stored right after, so it keeps this one as context).
    expect(found.results[0].content).toBe("Alice's birthday is on 3 March.");
    expect(found.results[0]).toEqual(expect.objectContaining({ id: passage.id, tags: ['personal'] }));
    const tagged = await client.agents.passages.search(agent.id, { query: 'office birthday', tags: ['personal'] });
    expect(tagged.results.map((r) => r.id)).toEqual([passage.id]);

    // The passages are the agent's memories on the native API too.
    const native = await t
      .http()
      .get('/api/v1/memories')
      .query({ agentId: agent.id })
      .set(bearer(owner.accessToken))
      .expect(200);
    expect(native.body.data.map((m: { memory: string }) => m.memory)).toEqual([
      "Alice's birthday is on 3 March.",
      'The office moved to Alexanderplatz.',
    ]);

    await client.agents.passages.delete(passage.id!, { agent_id: agent.id });
    const left = await client.agents.passages.list(agent.id);
    expect(left.map((p) => p.text)).toEqual(['The office moved to Alexanderplatz.']);
    const other = await createAgent('archive-other');
    const foreign = await error(client.agents.passages.delete(left[0].id!, { agent_id: other.id }));
    expect(foreign).toBeInstanceOf(NotFoundError);
  });

  it('sends a message and answers with the assistant message, stop reason and usage', async () => {
    const agent = await createAgent('chat');
    replies = ['Hello Alice!'];
    const response = await client.agents.messages.create(agent.id, {
      messages: [{ role: 'user', content: 'Hi, I am Alice.' }],
    });
    expect(response.messages.map((m) => [m.message_type, (m as LettaMessage).content])).toEqual([
      ['assistant_message', 'Hello Alice!'],
    ]);
    expect(response.stop_reason).toEqual({ message_type: 'stop_reason', stop_reason: 'end_turn' });
    expect(response.usage).toEqual(
      expect.objectContaining({ message_type: 'usage_statistics', prompt_tokens: 10, completion_tokens: 10 }),
    );
    // The model saw the core memory blocks.
    const turn = llm.requests.filter((r) => !isExtraction(r)).at(-1)!;
    expect(JSON.stringify(turn.messages)).toContain('Name: Alice.');

    const log = await client.agents.messages.list(agent.id, { order: 'asc' });
    expect(log.getPaginatedItems().map((m) => [m.message_type, (m as LettaMessage).content])).toEqual([
      ['user_message', 'Hi, I am Alice.'],
      ['assistant_message', 'Hello Alice!'],
    ]);
  });

  it('streams a turn as Letta messages until [DONE]', async () => {
    const agent = await createAgent('stream');
    replies = ['Streaming hello.'];
    const stream = await client.agents.messages.stream(agent.id, {
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }],
    });
    const chunks: LettaMessage[] = [];
    for await (const chunk of stream) chunks.push(chunk as LettaMessage);
    expect(chunks.map((c) => c.message_type)).toEqual(['assistant_message', 'stop_reason', 'usage_statistics']);
    expect(chunks[0].content).toBe('Streaming hello.');
    expect(chunks[1].stop_reason).toBe('end_turn');

    // With stream_tokens, the text comes in assistant_message chunks of one id.
    replies = ['Token by token.'];
    const tokens = await client.agents.messages.stream(agent.id, { input: 'Slowly.', stream_tokens: true });
    const pieces: LettaMessage[] = [];
    for await (const chunk of tokens) pieces.push(chunk as LettaMessage);
    const text = pieces.filter((c) => c.message_type === 'assistant_message');
    expect(text.map((c) => c.content).join('')).toBe('Token by token.');
    expect(new Set(text.map((c) => c.id)).size).toBe(1);
    expect(pieces.at(-1)?.message_type).toBe('usage_statistics');

    // On the wire: `data: {json}` frames, the last one `data: [DONE]` (also through POST …/messages with streaming).
    replies = ['Again.'];
    const raw = await fetch(`${t.url}/v1/agents/${agent.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.apiKey}` },
      body: JSON.stringify({ input: 'Once more.', streaming: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = (await raw.text()).split('\n\n').filter((f) => f !== '');
    expect(frames.every((f) => f.startsWith('data: '))).toBe(true);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(frames[0].slice(6))).toEqual(
      expect.objectContaining({ message_type: 'assistant_message', content: 'Again.' }),
    );
  });

  it('ends a stream whose LLM call fails with an error_message and stop reason error', async () => {
    const agent = await createAgent('failing');
    replies = [{ status: 400, body: JSON.stringify({ error: { message: 'model overloaded' } }) }];
    const stream = await client.agents.messages.stream(agent.id, { input: 'Hello?' });
    const chunks: LettaMessage[] = [];
    for await (const chunk of stream) chunks.push(chunk as LettaMessage);
    expect(chunks.map((c) => c.message_type)).toEqual(['error_message', 'stop_reason']);
    expect(chunks[1].stop_reason).toBe('error');
  });

  it('attaches a JavaScript tool and the model calls it: tool_call and tool_return messages come back', async () => {
    const tool = await client.tools.create({
      source_code: 'return { total: args.a + args.b };',
      json_schema: {
        name: 'add',
        description: 'Adds two numbers',
        parameters: {
          type: 'object',
          properties: { a: { type: 'number' }, b: { type: 'number' } },
          required: ['a', 'b'],
        },
      },
      tags: ['math'],
    });
    expect(tool).toEqual(expect.objectContaining({ name: 'add', source_type: 'javascript', tags: ['math'] }));
    const agent = await createAgent('calculator');
    const attached = await client.agents.tools.attach(tool.id, { agent_id: agent.id });
    expect(attached?.tools.map((x) => x.name)).toEqual(['add']);
    expect((await client.agents.tools.list(agent.id)).getPaginatedItems().map((x) => x.id)).toEqual([tool.id]);

    replies = [{ text: 'Let me add.', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] }, 'The sum is 5.'];
    const stream = await client.agents.messages.stream(agent.id, {
      messages: [{ role: 'user', content: 'What is 2 + 3?' }],
    });
    const chunks: LettaMessage[] = [];
    for await (const chunk of stream) chunks.push(chunk as LettaMessage);
    expect(chunks.map((c) => c.message_type)).toEqual([
      'reasoning_message',
      'tool_call_message',
      'tool_return_message',
      'assistant_message',
      'stop_reason',
      'usage_statistics',
    ]);
    expect(chunks[1].tool_call).toEqual(expect.objectContaining({ name: 'add', arguments: '{"a":2,"b":3}' }));
    expect(chunks[2]).toEqual(
      expect.objectContaining({
        tool_return: '{"total":5}',
        status: 'success',
        tool_call_id: chunks[1].tool_call?.tool_call_id,
      }),
    );
    expect(chunks[3].content).toBe('The sum is 5.');
    // The model was offered the tool.
    const turn = llm.requests.filter((r) => !isExtraction(r)).at(-2)!;
    expect(turn.tools?.map((x) => x.function.name)).toContain('add');

    const detached = await client.agents.tools.detach(tool.id, { agent_id: agent.id });
    expect(detached?.tools).toEqual([]);

    // By name at creation; Letta's built-in tool names are skipped (the memory tools are always there).
    const named = await client.agents.create({ name: 'by-name', tools: ['send_message', 'add'] });
    expect(named.tools.map((x) => x.id)).toEqual([tool.id]);
  });

  it('refuses Python tools with a 400 naming source_code or source_type', async () => {
    const python = await error(
      client.tools.create({
        source_code: 'def roll_dice() -> str:\n    """Roll a die."""\n    return "4"\n',
      }),
    );
    expect(python).toBeInstanceOf(BadRequestError);
    expect(messageOf(python)).toMatch(/source_code looks like Python/);
    const typed = await error(client.tools.create({ source_code: 'return 1', source_type: 'python' }));
    expect(messageOf(typed)).toMatch(/source_type python is not supported/);
  });

  describe('agent files (export and import)', () => {
    interface AgentFileShape {
      agents: {
        name: string;
        system: string;
        tags: string[];
        messages: { role: string; content: { text: string }[] }[];
      }[];
      blocks: { label: string; value: string }[];
      tools: { name: string; source_code: string }[];
    }
    const asOwner = () => bearer(owner.accessToken);
    const count = async (path: string) =>
      ((await t.http().get(`/api/v1/${path}?limit=100`).set(asOwner()).expect(200)).body.data as unknown[]).length;
    const log = async (agentId: string) =>
      (
        (await t.http().get(`/api/v1/agents/${agentId}/messages?limit=100`).set(asOwner()).expect(200)).body.data as {
          role: string;
          content: string;
        }[]
      ).map((m) => [m.role, m.content]);
    const upload = (file: unknown, name = 'agent.af') => toFile(Buffer.from(JSON.stringify(file)), name);

    it('exports an agent as an agent file and imports it back as a new agent, conversation included', async () => {
      const tool = await client.tools.create({
        source_code: 'return `Hello, ${args.who}`;',
        json_schema: {
          name: 'greet',
          description: 'Greets someone',
          parameters: { type: 'object', properties: { who: { type: 'string' } }, required: ['who'] },
        },
      });
      const agent = await client.agents.create({
        name: 'exported',
        system: 'Be kind.',
        tags: ['af'],
        tool_ids: [tool.id],
        memory_blocks: [
          { label: 'persona', value: 'A kind helper.' },
          { label: 'human', value: 'Name: Alice.' },
        ],
      });
      replies = ['Hello Alice.'];
      await client.agents.messages.create(agent.id, { messages: [{ role: 'user', content: 'Hi, I am Alice.' }] });

      const file = (await client.agents.exportFile(agent.id)) as unknown as AgentFileShape;
      expect(file.agents[0]).toMatchObject({ name: 'exported', system: 'Be kind.', tags: ['af'] });
      expect(file.blocks.map((b) => [b.label, b.value])).toEqual([
        ['persona', 'A kind helper.'],
        ['human', 'Name: Alice.'],
      ]);
      expect(file.tools.map((x) => x.name)).toEqual(['greet']);
      expect(file.agents[0].messages.map((m) => [m.role, m.content[0].text])).toEqual([
        ['user', 'Hi, I am Alice.'],
        ['assistant', 'Hello Alice.'],
      ]);
      const scrubbed = (await client.agents.exportFile(agent.id, {
        scrub_messages: true,
      })) as unknown as AgentFileShape;
      expect(scrubbed.agents[0].messages).toEqual([]);

      const { agent_ids } = await client.agents.importFile({ file: await upload(file), name: 'imported' });
      expect(agent_ids).toHaveLength(1);
      const copy = await client.agents.retrieve(agent_ids[0]);
      expect(copy).toEqual(expect.objectContaining({ name: 'imported', system: 'Be kind.', tags: ['af'] }));
      expect(copy.blocks.map((b) => [b.label, b.value])).toEqual([
        ['persona', 'A kind helper.'],
        ['human', 'Name: Alice.'],
      ]);
      // The copy's blocks are its own; the organization's tool of that name is reused.
      expect(copy.blocks.map((b) => b.id)).not.toEqual(expect.arrayContaining([agent.blocks[0].id]));
      expect(copy.tools.map((x) => x.id)).toEqual([tool.id]);
      expect(await log(copy.id)).toEqual([
        ['user', 'Hi, I am Alice.'],
        ['assistant', 'Hello Alice.'],
      ]);
    });

    it("imports a classic Letta agent file: Letta's own tools skipped, send_message read as the reply", async () => {
      const classic = {
        agents: [
          {
            id: 'agent-0',
            name: 'classic',
            system: 'You are a helpful agent.',
            llm_config: { model: 'gpt-4o-mini', handle: 'openai/gpt-4o-mini', context_window: 32000 },
            block_ids: ['block-0'],
            tool_ids: ['tool-0', 'tool-1'],
            messages: [
              { role: 'system', content: [{ type: 'text', text: 'compiled system prompt' }] },
              { role: 'user', content: [{ type: 'text', text: 'hello' }] },
              {
                role: 'assistant',
                content: [],
                tool_calls: [
                  {
                    id: 'call-1',
                    type: 'function',
                    function: { name: 'send_message', arguments: JSON.stringify({ message: 'Hi there!' }) },
                  },
                ],
              },
              { role: 'tool', content: [{ type: 'text', text: '{"status": "OK"}' }], tool_call_id: 'call-1' },
            ],
          },
        ],
        blocks: [{ id: 'block-0', label: 'human', value: 'Name: Bob.', limit: 5000 }],
        tools: [
          { id: 'tool-0', name: 'send_message', tool_type: 'letta_core', source_type: 'python' },
          { id: 'tool-1', name: 'core_memory_append', tool_type: 'letta_memory_core', source_type: 'python' },
        ],
      };
      const { agent_ids } = await client.agents.importFile({ file: await upload(classic) });
      const agent = await client.agents.retrieve(agent_ids[0]);
      // openai is not configured on this server: the agent gets the server's default model.
      expect(agent).toEqual(
        expect.objectContaining({ name: 'classic', model: 'openai-compatible/fake-model', tools: [] }),
      );
      expect(agent.blocks.map((b) => [b.label, b.value])).toEqual([['human', 'Name: Bob.']]);
      expect(await log(agent.id)).toEqual([
        ['user', 'hello'],
        ['assistant', 'Hi there!'],
      ]);
    });

    it('refuses a file with a Python tool, or one that fails half way, leaving nothing behind', async () => {
      const agents = await count('agents');
      const blocks = await count('blocks');
      const base = {
        agents: [{ id: 'agent-0', name: 'refused', block_ids: ['block-0', 'block-1'], tool_ids: [] as string[] }],
        blocks: [
          { id: 'block-0', label: 'persona', value: 'fine' },
          { id: 'block-1', label: 'human', value: 'far too long for its limit', limit: 5 },
        ],
        tools: [] as unknown[],
      };
      const python = await error(
        client.agents.importFile({
          file: await upload({
            ...base,
            tools: [
              {
                id: 'tool-0',
                name: 'roll',
                tool_type: 'custom',
                source_type: 'python',
                source_code: 'def roll(): return 4',
              },
            ],
          }),
        }),
      );
      expect(python).toBeInstanceOf(BadRequestError);
      expect(messageOf(python)).toMatch(/tools\.0\.source_type: python tools cannot run here/);

      // block-0 is stored before block-1 is refused: the import removes it again.
      const halfway = await error(client.agents.importFile({ file: await upload(base) }));
      expect(halfway).toBeInstanceOf(BadRequestError);
      expect(await count('agents')).toBe(agents);
      expect(await count('blocks')).toBe(blocks);

      const broken = await error(
        client.agents.importFile({
          file: await upload({ ...base, agents: [{ ...base.agents[0], block_ids: ['block-9'] }] }),
        }),
      );
      expect(messageOf(broken)).toMatch(/agents\.0\.block_ids\.0: no block block-9 in the file/);
      const notJson = await error(client.agents.importFile({ file: await toFile(Buffer.from('not json'), 'x.af') }));
      expect(messageOf(notJson)).toMatch(/file: not JSON/);
      const viewer = clientWith(readKey);
      expect(await error(viewer.agents.importFile({ file: await upload(base) }))).toBeInstanceOf(PermissionDeniedError);
    });
  });

  it('deletes an agent; it is then not found', async () => {
    const agent = await createAgent('doomed');
    await client.agents.delete(agent.id);
    expect(await error(client.agents.retrieve(agent.id))).toBeInstanceOf(NotFoundError);
    expect(await error(client.agents.blocks.list(agent.id))).toBeInstanceOf(NotFoundError);
  });

  it('raises AuthenticationError for a wrong or missing key', async () => {
    expect(await error(clientWith('am_wrong').agents.list())).toBeInstanceOf(AuthenticationError);
    expect(await error(clientWith(null).agents.list())).toBeInstanceOf(AuthenticationError);
  });

  it("raises NotFoundError for another organization's agent", async () => {
    const agent = await createAgent('private');
    const other = await register(t, 'Others');
    const stranger = clientWith(await makeKey(other.accessToken, ['read', 'write']));
    expect(await error(stranger.agents.retrieve(agent.id))).toBeInstanceOf(NotFoundError);
    expect(await error(stranger.agents.messages.create(agent.id, { input: 'hi' }))).toBeInstanceOf(NotFoundError);
    expect(await error(stranger.agents.passages.search(agent.id, { query: 'x' }))).toBeInstanceOf(NotFoundError);
    expect((await stranger.agents.list()).getPaginatedItems()).toEqual([]);
  });

  it('lets a read-scoped key read but not create', async () => {
    const reader = clientWith(readKey);
    const agent = await createAgent('readable');
    expect((await reader.agents.retrieve(agent.id)).id).toBe(agent.id);
    expect(await error(reader.agents.create({ name: 'nope' }))).toBeInstanceOf(PermissionDeniedError);
    expect(await error(reader.blocks.create({ label: 'x', value: 'y' }))).toBeInstanceOf(PermissionDeniedError);
  });

  describe("paging with the client's own iteration", () => {
    /** Every item the client's `for await` yields; a list that never ends fails at `cap` items instead of hanging. */
    const all = async <T extends { id?: string | null }>(items: AsyncIterable<T>, cap = 60): Promise<string[]> => {
      const ids: string[] = [];
      for await (const item of items) {
        ids.push(item.id!);
        if (ids.length > cap) throw new Error(`the iteration did not end (over ${cap} items)`);
      }
      return ids;
    };
    let paging: Letta;
    let agents: Awaited<ReturnType<Letta['agents']['create']>>[];

    beforeAll(async () => {
      const org = await register(t, 'Paging lists');
      paging = clientWith(await makeKey(org.accessToken, ['read', 'write']));
      agents = [];
      for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) agents.push(await paging.agents.create({ name }));
    });

    it("follows an agent's tools to the end, forwards and backwards by before", async () => {
      const tools = [];
      for (const name of ['t1', 't2', 't3', 't4', 't5'])
        tools.push(await paging.tools.create({ source_code: 'return 1;', json_schema: { name, description: name } }));
      for (const tool of tools) await paging.agents.tools.attach(tool.id, { agent_id: agents[0].id });
      const ids = tools.map((x) => x.id);

      expect(await all(paging.agents.tools.list(agents[0].id, { limit: 2 }))).toEqual(ids);
      // Backwards: each page is the 2 just before the first of the last page.
      expect(await all(paging.agents.tools.list(agents[0].id, { limit: 2, before: ids[4] }))).toEqual([
        ids[2],
        ids[3],
        ids[0],
        ids[1],
      ]);
      expect(await all(paging.agents.tools.list(agents[0].id, { limit: 2, order: 'desc' }))).toEqual(
        [...ids].reverse(),
      );
      // The registry's list too.
      expect(await all(paging.tools.list({ limit: 2 }))).toEqual(ids);
      expect(await all(paging.tools.list({ limit: 3, before: ids[4] }))).toEqual([ids[1], ids[2], ids[3], ids[0]]);
    });

    it('follows the agents of a shared block to the end, forwards and backwards by before', async () => {
      const shared = await paging.blocks.create({ label: 'shared', value: 'Shared by five.' });
      for (const agent of agents) await paging.agents.blocks.attach(shared.id, { agent_id: agent.id });
      const ids = agents.map((a) => a.id);

      expect(await all(paging.blocks.agents.list(shared.id, { limit: 2 }))).toEqual(ids);
      expect(await all(paging.blocks.agents.list(shared.id, { limit: 2, before: ids[4] }))).toEqual([
        ids[2],
        ids[3],
        ids[0],
        ids[1],
      ]);
      const page = await paging.blocks.agents.list(shared.id, { limit: 2, after: ids[1] });
      expect(page.getPaginatedItems().map((a) => [a.id, a.blocks.map((b) => b.label)])).toEqual([
        [ids[2], ['persona', 'human', 'shared']],
        [ids[3], ['persona', 'human', 'shared']],
      ]);
    });

    it("follows an agent's blocks and the organization's blocks to the end, backwards by before too", async () => {
      const agent = agents[1];
      const extra = [];
      for (const label of ['b3', 'b4']) extra.push(await paging.blocks.create({ label, value: label }));
      for (const block of extra) await paging.agents.blocks.attach(block.id, { agent_id: agent.id });
      const own = (await paging.agents.retrieve(agent.id)).blocks.map((b) => b.id!);
      expect(own).toHaveLength(5);

      expect(await all(paging.agents.blocks.list(agent.id, { limit: 2 }))).toEqual(own);
      expect(await all(paging.agents.blocks.list(agent.id, { limit: 2, before: own[4] }))).toEqual([
        own[2],
        own[3],
        own[0],
        own[1],
      ]);
      const labelled = [extra[0].id, (await paging.blocks.create({ label: 'b3', value: 'again' })).id];
      expect(await all(paging.blocks.list({ label: 'b3', limit: 1 }))).toEqual(labelled);
      expect(await all(paging.blocks.list({ label: 'b3', limit: 1, before: labelled[1] }))).toEqual([labelled[0]]);
    });

    it('follows the messages and the agents lists to the end, backwards by before too', async () => {
      const agent = agents[2];
      replies = ['One.', 'Two.'];
      await paging.agents.messages.create(agent.id, { input: 'first' });
      await paging.agents.messages.create(agent.id, { input: 'second' });
      const newestFirst = (await paging.agents.messages.list(agent.id, { limit: 100 })).getPaginatedItems();
      const ids = newestFirst.map((m) => m.id);
      expect(ids).toHaveLength(4);

      expect(await all(paging.agents.messages.list(agent.id, { limit: 1 }))).toEqual(ids);
      expect(await all(paging.agents.messages.list(agent.id, { limit: 2, before: ids[3] }))).toEqual([
        ids[1],
        ids[2],
        ids[0],
      ]);

      const agentIds = agents.map((a) => a.id);
      expect(await all(paging.agents.list({ limit: 2, order: 'asc' }))).toEqual(agentIds);
      expect(await all(paging.agents.list({ limit: 2, order: 'asc', before: agentIds[4] }))).toEqual([
        agentIds[2],
        agentIds[3],
        agentIds[0],
        agentIds[1],
      ]);
    });

    it('refuses before on the passages list with a 400 naming before, and after with search', async () => {
      const [passage] = await paging.agents.passages.create(agents[3].id, { text: 'A fact.' });
      const before = await error(paging.agents.passages.list(agents[3].id, { before: passage.id }));
      expect(before).toBeInstanceOf(BadRequestError);
      expect(messageOf(before)).toMatch(/^before/);
      const afterSearch = await error(paging.agents.passages.list(agents[3].id, { search: 'fact', after: passage.id }));
      expect(afterSearch).toBeInstanceOf(BadRequestError);
      expect(messageOf(afterSearch)).toMatch(/^after/);
    });

    it('refuses a page bound that is not in a short list with a 400 naming it', async () => {
      const stray = await error(paging.agents.blocks.list(agents[4].id, { after: agents[0].id }));
      expect(stray).toBeInstanceOf(BadRequestError);
      expect(messageOf(stray)).toMatch(/^after: /);
    });
  });

  it("lists agents oldest first with ascending=true (Letta's older switch for order); refuses another order_by", async () => {
    const org = await register(t, 'Ascending');
    const asc = clientWith(await makeKey(org.accessToken, ['read', 'write']));
    for (const name of ['first', 'second', 'third']) await asc.agents.create({ name });
    const names = async (query: Parameters<Letta['agents']['list']>[0]) =>
      (await asc.agents.list(query)).getPaginatedItems().map((a) => a.name);
    expect(await names({ ascending: true })).toEqual(['first', 'second', 'third']);
    expect(await names({ ascending: false })).toEqual(['third', 'second', 'first']);
    expect(await names({ ascending: true, order: 'asc' })).toEqual(['first', 'second', 'third']);
    const contradiction = await error(asc.agents.list({ ascending: true, order: 'desc' }));
    expect(contradiction).toBeInstanceOf(BadRequestError);
    expect(messageOf(contradiction)).toMatch(/ascending/);
    // Lists are ordered by creation time only: another order_by is refused, not ignored.
    expect(await names({ order_by: 'created_at', sort_by: 'created_at', order: 'asc' })).toEqual([
      'first',
      'second',
      'third',
    ]);
    const byRun = await error(asc.agents.list({ order_by: 'last_run_completion' }));
    expect(byRun).toBeInstanceOf(BadRequestError);
    expect(messageOf(byRun)).toMatch(/^order_by must be created_at/);
    const sortBy = await error(asc.agents.list({ sort_by: 'last_run_completion' }));
    expect(messageOf(sortBy)).toMatch(/^sort_by must be created_at/);
  });

  it('refuses an empty tool name on agent create with a 400 naming tools, attaching nothing', async () => {
    const org = await register(t, 'Tool names');
    const named = clientWith(await makeKey(org.accessToken, ['read', 'write']));
    const tool = await named.tools.create({
      source_code: 'return 1;',
      json_schema: { name: 'one', description: 'One' },
    });
    const empty = await error(named.agents.create({ name: 'empty-tool', tools: [''] }));
    expect(empty).toBeInstanceOf(BadRequestError);
    expect(messageOf(empty)).toMatch(/tools/);
    const unknown = await error(named.agents.create({ name: 'unknown-tool', tools: ['one', 'nope'] }));
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect(messageOf(unknown)).toMatch(/^tools\.1: there is no tool named nope/);
    expect((await named.agents.list()).getPaginatedItems()).toEqual([]);
    const ok = await named.agents.create({ name: 'by-names', tools: ['one', 'send_message', 'one'] });
    expect(ok.tools.map((x) => x.id)).toEqual([tool.id]);
  });

  it('matches passage tags exactly: tag cat does not find a memory tagged "category"', async () => {
    const agent = await createAgent('tagged');
    const [cat] = await client.agents.passages.create(agent.id, { text: 'The cat sleeps on the sofa.', tags: ['cat'] });
    await client.agents.passages.create(agent.id, { text: 'The cat food is in the kitchen.', tags: ['category'] });
    // A memory of the agent written on the native API, its tags a string.
    await t
      .http()
      .post('/api/v1/memories')
      .set(bearer(owner.accessToken))
      .send({
        content: 'The cat toy is under the bed.',
        agentId: agent.id,
        infer: false,
        metadata: { tags: 'category' },
      })
      .expect(201);
    const found = await client.agents.passages.search(agent.id, { query: 'cat', tags: ['cat'] });
    expect(found.results.map((r) => r.id)).toEqual([cat.id]);
    const all = await client.agents.passages.search(agent.id, {
      query: 'cat',
      tags: ['cat', 'category'],
      tag_match_mode: 'all',
    });
    expect(all.results).toEqual([]);
  });

  it('changes nothing when an agent update is refused: a label twice in block_ids, or a missing block', async () => {
    const agent = await createAgent('atomic');
    const notes = await client.blocks.create({ label: 'notes', value: 'One.' });
    const moreNotes = await client.blocks.create({ label: 'notes', value: 'Two.' });
    const before = await client.agents.retrieve(agent.id);

    const twice = await error(
      client.agents.update(agent.id, { name: 'renamed', tags: ['x'], block_ids: [notes.id, moreNotes.id] }),
    );
    expect(twice).toBeInstanceOf(ConflictError);
    const missing = await error(
      client.agents.update(agent.id, {
        name: 'renamed',
        block_ids: [notes.id, '01900000-0000-7000-8000-000000000000'],
      }),
    );
    expect(missing).toBeInstanceOf(NotFoundError);

    const after = await client.agents.retrieve(agent.id);
    expect(after).toEqual(expect.objectContaining({ name: 'atomic', tags: [], updated_at: before.updated_at }));
    expect(after.blocks.map((b) => b.id)).toEqual(before.blocks.map((b) => b.id));
    expect((await client.blocks.agents.list(notes.id)).getPaginatedItems()).toEqual([]);
  });

  it('refuses every Letta write to a read-scoped key (403) and nothing changes', async () => {
    const reader = clientWith(readKey);
    const agent = await createAgent('guarded');
    const block = await client.blocks.create({ label: 'guarded', value: 'Kept.' });
    const tool = await client.tools.create({
      source_code: 'return 1;',
      json_schema: { name: 'guarded_tool', description: 'Kept' },
    });
    const [passage] = await client.agents.passages.create(agent.id, { text: 'A guarded fact.' });
    const attachedBlock = await client.blocks.create({ label: 'attached', value: 'On the agent.' });
    await client.agents.blocks.attach(attachedBlock.id, { agent_id: agent.id });
    const attachedTool = await client.tools.create({
      source_code: 'return 2;',
      json_schema: { name: 'guarded_attached', description: 'On the agent' },
    });
    await client.agents.tools.attach(attachedTool.id, { agent_id: agent.id });
    const agentFile = await client.agents.exportFile(agent.id);

    const state = async () => ({
      agent: await client.agents.retrieve(agent.id),
      agents: (await client.agents.list({ limit: 1000 })).getPaginatedItems().map((a) => a.id),
      block: await client.blocks.retrieve(block.id),
      blocks: (await client.blocks.list({ limit: 1000 })).getPaginatedItems().map((b) => b.id),
      tool: await client.tools.retrieve(tool.id),
      tools: (await client.tools.list({ limit: 1000 })).getPaginatedItems().map((x) => x.id),
      passages: await client.agents.passages.list(agent.id),
      messages: (await client.agents.messages.list(agent.id, { limit: 1000 })).getPaginatedItems(),
    });
    const before = await state();

    const writes: [string, () => Promise<unknown>][] = [
      ['agent create', () => reader.agents.create({ name: 'nope' })],
      ['agent update', () => reader.agents.update(agent.id, { name: 'nope' })],
      ['agent delete', () => reader.agents.delete(agent.id)],
      [
        'agent import',
        async () => reader.agents.importFile({ file: await toFile(Buffer.from(JSON.stringify(agentFile)), 'a.af') }),
      ],
      ['block create', () => reader.blocks.create({ label: 'x', value: 'y' })],
      ['block update', () => reader.blocks.update(block.id, { value: 'changed' })],
      ['block delete', () => reader.blocks.delete(block.id)],
      ['block attach', () => reader.agents.blocks.attach(block.id, { agent_id: agent.id })],
      ['block detach', () => reader.agents.blocks.detach(attachedBlock.id, { agent_id: agent.id })],
      [
        'core-memory block update',
        () => reader.agents.blocks.update('human', { agent_id: agent.id, value: 'changed' }),
      ],
      ['passage insert', () => reader.agents.passages.create(agent.id, { text: 'nope' })],
      ['passage delete', () => reader.agents.passages.delete(passage.id!, { agent_id: agent.id })],
      ['message send', () => reader.agents.messages.create(agent.id, { input: 'hi' })],
      ['message stream', () => reader.agents.messages.stream(agent.id, { input: 'hi' })],
      [
        'tool create',
        () => reader.tools.create({ source_code: 'return 3;', json_schema: { name: 'nope', description: 'x' } }),
      ],
      ['tool update', () => reader.tools.update(tool.id, { description: 'changed' })],
      ['tool delete', () => reader.tools.delete(tool.id)],
      ['tool attach', () => reader.agents.tools.attach(tool.id, { agent_id: agent.id })],
      ['tool detach', () => reader.agents.tools.detach(attachedTool.id, { agent_id: agent.id })],
    ];
    const outcomes = [];
    for (const [name, write] of writes) {
      const e = await error(write()).catch((unexpected: unknown) => unexpected);
      outcomes.push([name, e instanceof PermissionDeniedError ? 403 : String(e)]);
    }
    expect(outcomes).toEqual(writes.map(([name]) => [name, 403]));
    expect(await state()).toEqual(before);
  });
});
