import { HttpException } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { LATEST_PROTOCOL_VERSION, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { checkMcpPost, MAX_BATCH_SIZE } from './mcp-request.js';

const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'spec', version: '1' } },
};

const ACCEPTS = [undefined, 'application/json', 'text/event-stream', '*/*', 'application/json, text/event-stream'];
const CONTENT_TYPES = [
  undefined,
  'text/plain',
  'application/json',
  'application/json; charset=utf-8',
  'application/jsonx',
];
const VERSIONS = [undefined, LATEST_PROTOCOL_VERSION, '1999-01-01'];
const BODIES: unknown[] = [
  list(1),
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 7, result: {} },
  [list(1), list(2)],
  [],
  Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => list(i)),
  initialize,
  [initialize, list(1)],
  { hello: 'world' },
  [list(1), { hello: 'world' }],
  { jsonrpc: '1.0', id: 1, method: 'tools/list' },
  {},
  null,
  'text',
];

/** What the SDK's own transport answers (a fresh stateless server, as the controller makes). */
async function sdkStatus(headers: Record<string, string>, body: unknown): Promise<number> {
  const server = new Server({ name: 'spec', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    const res = await transport.handleRequest(
      new Request('http://localhost/mcp', { method: 'POST', headers, body: JSON.stringify(body) }),
      { parsedBody: body },
    );
    return res.status;
  } finally {
    await server.close();
  }
}

function ourStatus(headers: Record<string, string>, body: unknown): number {
  try {
    checkMcpPost(headers, body);
    return 200;
  } catch (error) {
    return (error as HttpException).getStatus();
  }
}

describe('checkMcpPost', () => {
  it('refuses exactly what the SDK transport refuses, with its status, and passes the rest', async () => {
    const mismatches: string[] = [];
    for (const accept of ACCEPTS)
      for (const contentType of CONTENT_TYPES)
        for (const version of VERSIONS)
          for (const body of BODIES) {
            const headers: Record<string, string> = {};
            if (accept) headers.accept = accept;
            if (contentType) headers['content-type'] = contentType;
            if (version) headers['mcp-protocol-version'] = version;
            const ours = ourStatus(headers, body);
            const sdk = await sdkStatus(headers, body);
            const agree = ours === 200 ? sdk < 300 : sdk === ours;
            if (!agree)
              mismatches.push(
                `${JSON.stringify(headers)} ${JSON.stringify(body).slice(0, 80)}: ours ${ours}, SDK ${sdk}`,
              );
          }
    expect(mismatches).toEqual([]);
  });

  it('says what is wrong in the one error shape’s message and code', () => {
    const json = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    expect(() => checkMcpPost({ accept: 'application/json' }, list(1))).toThrow(/Accept must list both/);
    expect(() => checkMcpPost({ ...json, 'content-type': 'text/plain' }, list(1))).toThrow(/Content-Type must be/);
    expect(() => checkMcpPost(json, [list(1), { hello: 'world' }])).toThrow(/body\.1 is not a JSON-RPC 2\.0/);
    try {
      checkMcpPost(json, { hello: 'world' });
    } catch (error) {
      expect((error as HttpException).getResponse()).toMatchObject({ code: 'INVALID_JSONRPC_MESSAGE' });
    }
    expect.assertions(4);
  });
});
