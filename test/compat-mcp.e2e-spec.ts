import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { POISON_STRINGS, SchemaArbitraries, serialize } from './support/openapi-fuzz.js';
import type { SchemaObject } from './support/openapi-fuzz.js';
import { bearer, expectErrorShape, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

const TOOLS = [
  'add_memory',
  'search_memory',
  'list_memories',
  'get_memory',
  'update_memory',
  'delete_memory',
  'get_core_memory',
  'update_core_memory_block',
];
const MCP_ACCEPT = 'application/json, text/event-stream';

/** The JSON body of a tool's text content. */
function jsonOf(result: CallToolResult): Record<string, unknown> {
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error(`expected text content, got ${JSON.stringify(result.content)}`);
  return JSON.parse(first.text) as Record<string, unknown>;
}

describe('MCP server at /mcp (streamable HTTP, official SDK client)', () => {
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  let writeKeyA: string;
  let readKeyA: string;
  let writeKeyB: string;
  const clients: Client[] = [];

  async function apiKey(owner: Registered, scopes: string[]): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/api-keys')
      .set(bearer(owner.accessToken))
      .send({ name: `mcp ${scopes.join(' ')}`, scopes })
      .expect(201);
    return res.body.key as string;
  }

  async function connect(headers: Record<string, string>): Promise<Client> {
    const client = new Client({ name: 'agentmem-e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers } });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return (await client.callTool({ name, arguments: args })) as CallToolResult;
  }

  /** Calls a tool that must succeed; returns its JSON. */
  async function ok(client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = await call(client, name, args);
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
    expect(result.structuredContent).toEqual(jsonOf(result));
    return jsonOf(result);
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
    writeKeyA = await apiKey(a, ['read', 'write']);
    readKeyA = await apiKey(a, ['read']);
    writeKeyB = await apiKey(b, ['read', 'write']);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t?.close();
  });

  it('lists the eight memory tools, each with a described JSON Schema input', async () => {
    const client = await connect({ Authorization: `Bearer ${writeKeyA}` });
    expect(client.getServerVersion()?.name).toBe('agentmem');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description).toEqual(expect.any(String));
      expect(tool.inputSchema.type).toBe('object');
      const properties = Object.entries(tool.inputSchema.properties ?? {}) as [string, { description?: string }][];
      expect(properties.length).toBeGreaterThan(0);
      for (const [field, schema] of properties)
        expect({ field, description: schema.description }).toEqual({
          field,
          description: expect.any(String),
        });
    }
  });

  it('adds a memory and finds it first by search, in the caller’s organization (tenant context in the tool)', async () => {
    const client = await connect({ 'X-API-Key': writeKeyA });
    const added = await ok(client, 'add_memory', { content: 'Alice is allergic to peanuts', userId: 'alice' });
    const [change] = added.results as { id: string; event: string }[];
    expect(change.event).toBe('ADD');
    await ok(client, 'add_memory', { content: 'Alice moved to Berlin last spring', userId: 'alice' });

    const found = await ok(client, 'search_memory', { query: 'peanut allergy', userId: 'alice' });
    const hits = found.results as { id: string; memory: string }[];
    expect(hits[0]).toMatchObject({ id: change.id, memory: 'Alice is allergic to peanuts' });

    // Stored under the key's organization: its owner sees it over REST, the other organization does not.
    await t.http().get(`/api/v1/memories/${change.id}`).set(bearer(a.accessToken)).expect(200);
    await t.http().get(`/api/v1/memories/${change.id}`).set(bearer(b.accessToken)).expect(404);
  });

  it('gets, lists, updates and deletes a memory', async () => {
    const client = await connect({ Authorization: `Bearer ${writeKeyA}` });
    const added = await ok(client, 'add_memory', { content: 'Bob drinks green tea', userId: 'bob', infer: false });
    const id = (added.results as { id: string }[])[0].id;

    expect(await ok(client, 'get_memory', { id })).toMatchObject({ id, memory: 'Bob drinks green tea', userId: 'bob' });
    const page = await ok(client, 'list_memories', { userId: 'bob' });
    expect((page.data as { id: string }[]).map((m) => m.id)).toEqual([id]);
    expect(page.nextCursor).toBeNull();

    const updated = await ok(client, 'update_memory', { id, content: 'Bob drinks black coffee', importance: 0.9 });
    expect(updated).toMatchObject({ id, memory: 'Bob drinks black coffee', importance: 0.9 });

    expect(await ok(client, 'delete_memory', { id })).toEqual({ id, deleted: true });
    const gone = await call(client, 'get_memory', { id });
    expect(gone.isError).toBe(true);
    expect(jsonOf(gone)).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('reads and edits an agent’s core memory blocks', async () => {
    const agent = (
      await t
        .http()
        .post('/api/v1/agents')
        .set(bearer(a.accessToken))
        .send({ name: 'helper', blocks: [{ label: 'human', value: 'Name: Alice', limit: 100 }] })
        .expect(201)
    ).body as { id: string };
    const client = await connect({ Authorization: `Bearer ${writeKeyA}` });

    const core = await ok(client, 'get_core_memory', { agentId: agent.id });
    expect(core.blocks).toEqual([expect.objectContaining({ label: 'human', value: 'Name: Alice', limit: 100 })]);

    const edited = await ok(client, 'update_core_memory_block', {
      agentId: agent.id,
      label: 'human',
      value: 'Name: Alice. Allergic to peanuts.',
    });
    expect(edited).toMatchObject({ label: 'human', value: 'Name: Alice. Allergic to peanuts.' });
    const rest = await t.http().get(`/api/v1/agents/${agent.id}/blocks/human`).set(bearer(a.accessToken)).expect(200);
    expect(rest.body.value).toBe('Name: Alice. Allergic to peanuts.');

    const over = await call(client, 'update_core_memory_block', {
      agentId: agent.id,
      label: 'human',
      value: 'x'.repeat(101),
    });
    expect(over.isError).toBe(true);
    expect(jsonOf(over).message).toMatch(/limit is 100/);

    // Another organization's agent is not found, and its blocks are not shown.
    const foreign = await connect({ Authorization: `Bearer ${writeKeyB}` });
    const refused = await call(foreign, 'get_core_memory', { agentId: agent.id });
    expect(refused.isError).toBe(true);
    expect(jsonOf(refused)).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(JSON.stringify(refused)).not.toContain('Alice');
  });

  it('refuses a connection without a credential with HTTP 401 in the one error shape', async () => {
    const client = new Client({ name: 'anonymous', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`));
    await expect(client.connect(transport)).rejects.toMatchObject({ code: 401 });

    const res = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: { Accept: MCP_ACCEPT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expectErrorShape((await res.json()) as Record<string, unknown>, 401);
  });

  it('lets a read-scoped key search and list but refuses its add_memory, writing nothing', async () => {
    const client = await connect({ Authorization: `Bearer ${readKeyA}` });
    const found = await ok(client, 'search_memory', { query: 'peanuts', userId: 'alice' });
    expect((found.results as unknown[]).length).toBeGreaterThan(0);
    await ok(client, 'list_memories', { userId: 'alice' });

    const refused = await call(client, 'add_memory', { content: 'Carol likes jazz', userId: 'carol' });
    expect(refused.isError).toBe(true);
    expect(jsonOf(refused)).toMatchObject({ statusCode: 403, code: 'INSUFFICIENT_ROLE' });
    const page = await t.http().get('/api/v1/memories?userId=carol').set(bearer(a.accessToken)).expect(200);
    expect(page.body.data).toEqual([]);
  });

  it('refuses every writing tool to a read-scoped key, changing nothing', async () => {
    const writer = await connect({ Authorization: `Bearer ${writeKeyA}` });
    const added = await ok(writer, 'add_memory', { content: 'Erin keeps a diary', userId: 'erin' });
    const id = (added.results as { id: string }[])[0].id;
    const agent = (
      await t
        .http()
        .post('/api/v1/agents')
        .set(bearer(a.accessToken))
        .send({ name: 'guarded', blocks: [{ label: 'human', value: 'Name: Erin' }] })
        .expect(201)
    ).body as { id: string };
    const reader = await connect({ Authorization: `Bearer ${readKeyA}` });
    const writes: [string, Record<string, unknown>][] = [
      ['add_memory', { content: 'forged', userId: 'erin' }],
      ['update_memory', { id, content: 'forged' }],
      ['delete_memory', { id }],
      ['update_core_memory_block', { agentId: agent.id, label: 'human', value: 'forged' }],
    ];
    for (const [name, args] of writes) {
      const refused = await call(reader, name, args);
      expect({ name, isError: refused.isError }).toEqual({ name, isError: true });
      expect(jsonOf(refused)).toMatchObject({ statusCode: 403, code: 'INSUFFICIENT_ROLE' });
    }
    const memory = await t.http().get(`/api/v1/memories/${id}`).set(bearer(a.accessToken)).expect(200);
    expect(memory.body.memory).toBe('Erin keeps a diary');
    const block = await t.http().get(`/api/v1/agents/${agent.id}/blocks/human`).set(bearer(a.accessToken)).expect(200);
    expect(block.body.value).toBe('Name: Erin');
    const erin = await t.http().get('/api/v1/memories?userId=erin').set(bearer(a.accessToken)).expect(200);
    expect(erin.body.data).toHaveLength(1);
  });

  it('answers another organization’s memory id with not found, never its content', async () => {
    const owner = await connect({ Authorization: `Bearer ${writeKeyA}` });
    const added = await ok(owner, 'add_memory', { content: 'The vault code is 4711', userId: 'dave' });
    const id = (added.results as { id: string }[])[0].id;

    const foreign = await connect({ Authorization: `Bearer ${writeKeyB}` });
    for (const [name, args] of [
      ['get_memory', { id }],
      ['update_memory', { id, content: 'overwritten' }],
      ['delete_memory', { id }],
    ] as const) {
      const result = await call(foreign, name, args);
      expect({ name, isError: result.isError }).toEqual({ name, isError: true });
      expect(jsonOf(result)).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      expect(JSON.stringify(result)).not.toContain('4711');
    }
    const search = await ok(foreign, 'search_memory', { query: 'vault code' });
    expect(search.results).toEqual([]);
    expect(await ok(owner, 'get_memory', { id })).toMatchObject({ memory: 'The vault code is 4711' });
  });

  it('answers invalid tool arguments with a tool error naming the field, as REST validation does', async () => {
    const client = await connect({ Authorization: `Bearer ${writeKeyA}` });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['add_memory', { content: 'no scope' }, /userId, agentId or runId/],
      ['add_memory', { content: 'x', userId: 'u', importance: 2 }, /importance must not be greater than 1/],
      ['add_memory', { content: 'x', userId: 'u', colour: 'red' }, /property colour should not exist/],
      ['add_memory', { content: 'x', userId: 'u', expiresAt: '2020-02-30T00:00:00Z' }, /expiresAt/],
      ['search_memory', { query: '' }, /query must not be empty/],
      ['search_memory', { query: 'x', limit: 1000 }, /limit must not be greater than 100/],
      ['list_memories', { cursor: 'nope' }, /cursor must be a nextCursor/],
      ['get_memory', { id: 'not-a-uuid' }, /id must be a UUID/],
      ['update_memory', { id: '00000000-0000-4000-8000-000000000000', content: null }, /content must be a string/],
      ['get_core_memory', {}, /agentId must be a UUID/],
    ];
    for (const [name, args, problem] of cases) {
      const result = await call(client, name, args);
      expect({ name, args, isError: result.isError }).toEqual({ name, args, isError: true });
      const body = jsonOf(result);
      expect({ name, args, status: body.statusCode }).toEqual({ name, args, status: 400 });
      expect(body.message).toMatch(problem);
    }
    await expect(client.callTool({ name: 'forget_everything', arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
    // Arguments that are not an object at all: invalid params naming them, not an internal error.
    const res = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: { 'X-API-Key': writeKeyA, Accept: MCP_ACCEPT, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'get_memory', arguments: 'the peanut one' },
      }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { error?: { code: number; message: string } };
    expect(answer.error).toMatchObject({ code: -32602, message: expect.stringMatching(/arguments/) });
  });

  it('refuses, in the one error shape, what the MCP transport itself would refuse', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${t.url}/mcp`, { method: 'POST', headers: { 'X-API-Key': writeKeyA, ...headers }, body });
    const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const json = { 'Content-Type': 'application/json' };
    const expectations: [Promise<Response>, number][] = [
      [post({ ...json, Accept: 'application/json' }, list), 406],
      [post({ Accept: MCP_ACCEPT, 'Content-Type': 'text/plain' }, list), 415],
      [post({ ...json, Accept: MCP_ACCEPT }, JSON.stringify({ hello: 'world' })), 400],
      [post({ ...json, Accept: MCP_ACCEPT, 'MCP-Protocol-Version': '1999-01-01' }, list), 400],
    ];
    for (const [pending, status] of expectations) {
      const res = await pending;
      expect(res.status).toBe(status);
      expectErrorShape((await res.json()) as Record<string, unknown>, status);
    }
    const stream = await fetch(`${t.url}/mcp`, { headers: { 'X-API-Key': writeKeyA, Accept: 'text/event-stream' } });
    expect(stream.status).toBe(405);
    expect(stream.headers.get('allow')).toBe('POST');
    expectErrorShape((await stream.json()) as Record<string, unknown>, 405);
  });
  it('answers generated hostile arguments to every tool without a 5xx or an internal JSON-RPC error, leaving another organization untouched', async () => {
    const client = await connect({ 'X-API-Key': writeKeyA });
    const { tools } = await client.listTools();
    const memoryId = (
      (await ok(client, 'add_memory', { content: 'Fuzz target', userId: 'fuzz', infer: false })).results as {
        id: string;
      }[]
    )[0].id;
    const agentId = (
      await t
        .http()
        .post('/api/v1/agents')
        .set(bearer(a.accessToken))
        .send({ name: 'fuzzed', blocks: [{ label: 'human', value: '' }] })
        .expect(201)
    ).body.id as string;
    const foreign = (
      await t
        .http()
        .post('/api/v1/memories')
        .set(bearer(b.accessToken))
        .send({ content: 'Org B secret', userId: 'fuzz', infer: false })
        .expect(201)
    ).body.results[0].id as string;
    const snapshotOfB = async () =>
      JSON.stringify((await t.http().get('/api/v1/memories?limit=100').set(bearer(b.accessToken)).expect(200)).body);
    const before = await snapshotOfB();

    // Valid arguments per tool (as the fuzzer's examples): each case makes one field hostile, or all.
    const valid: Record<string, Record<string, unknown>> = {
      add_memory: { content: 'Fuzzed text', userId: 'fuzz' },
      search_memory: { query: 'fuzz target', userId: 'fuzz' },
      list_memories: { userId: 'fuzz' },
      get_memory: { id: memoryId },
      update_memory: { id: memoryId, content: 'Fuzz target again' },
      delete_memory: { id: foreign },
      get_core_memory: { agentId },
      update_core_memory_block: { agentId, label: 'human', value: 'fuzzed' },
    };
    const schemas = new SchemaArbitraries({ paths: {} });
    const argumentsOf = (tool: Tool): fc.Arbitrary<unknown> => {
      const schema = { ...(tool.inputSchema as SchemaObject), example: valid[tool.name] };
      return fc.oneof(
        { weight: 4, arbitrary: schemas.mutated(schema) },
        { weight: 2, arbitrary: fc.constantFrom(...POISON_STRINGS).map((text) => schemas.everyString(schema, text)) },
        { weight: 1, arbitrary: fc.constant(schemas.nulls(schema)) },
        { weight: 1, arbitrary: schemas.value(schema) },
      );
    };
    const problems: string[] = [];
    for (const [index, tool] of tools.entries()) {
      await fc.assert(
        fc.asyncProperty(argumentsOf(tool), async (args) => {
          const body = serialize({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: tool.name, arguments: args },
          });
          const res = await fetch(`${t.url}/mcp`, {
            method: 'POST',
            headers: { 'X-API-Key': writeKeyA, Accept: MCP_ACCEPT, 'Content-Type': 'application/json' },
            body,
            signal: AbortSignal.timeout(5000),
          });
          const answer = (await res.json()) as {
            statusCode?: number;
            result?: CallToolResult;
            error?: { code: number };
          };
          const what = `${tool.name} ${body.slice(0, 200)}`;
          if (res.status >= 500) problems.push(`${what}: HTTP ${res.status}`);
          else if (res.status >= 400) {
            if (answer.statusCode !== res.status) problems.push(`${what}: ${res.status} not in the error shape`);
          } else if (answer.error) {
            if (answer.error.code === -32603) problems.push(`${what}: internal JSON-RPC error`);
          } else if (answer.result?.isError) {
            const status = (jsonOf(answer.result).statusCode as number | undefined) ?? 500;
            if (status >= 500) problems.push(`${what}: tool error ${status}`);
          }
        }),
        { seed: 20261204 + index, numRuns: 25 },
      );
    }
    expect(problems).toEqual([]);
    expect(await snapshotOfB()).toBe(before);
  }, 120_000);
});
