import fc from 'fast-check';
import { FakeLlm } from './support/fake-llm.js';
import { operationsOf, POISON_STRINGS, SchemaArbitraries, serialize } from './support/openapi-fuzz.js';
import type { OpenApiDocument, Operation } from './support/openapi-fuzz.js';
import { bearer, register, startTestApp, uniqueEmail } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

/**
 * Property-based fuzzing of every operation in the server's own OpenAPI document: generated
 * bad bodies, parameters and headers, sent as an attacker of organization A would. Whatever is
 * sent: no 5xx, every failure in the one JSON error shape, no answer slower than 5 s, the
 * server still ready, and organization B's data exactly as it was.
 *
 * `npm test` runs it with a fixed seed; `npm run test:fuzz` with a random seed (printed) and
 * more cases per operation. FUZZ_SEED and FUZZ_RUNS override either.
 */
const seedSetting = process.env.FUZZ_SEED ?? '20261201';
const SEED = seedSetting === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(seedSetting);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const RESPONSE_LIMIT_MS = 5000;

/** The lines of a JSON Lines import are memories with their scope (the document types the body as text). */
const IMPORT_LINE = { $ref: '#/components/schemas/CreateMemoryDto' };

type Credential = 'owner' | 'viewer' | 'adminKey' | 'readKey' | 'none' | 'garbage' | 'foreignShape' | 'apiKeyGarbage';

interface Org {
  owner: Registered;
  viewerToken: string;
  adminKey: string;
  readKey: string;
  /** Ids by resource, for path parameters. */
  ids: Record<string, string[]>;
}

interface Case {
  credential: Credential;
  /** One more header with a generated value (request id, SSE resume id, media types, origin). */
  extraHeader: [string, string] | null;
  pathValues: string[];
  query: [string, unknown][];
  contentType?: string;
  body?: string;
}

/** Percent-encodes any string, lone surrogates included (as the bytes a careless client sends). */
function encodePart(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    out +=
      code >= 0xd800 && code <= 0xdfff
        ? '%ED%' +
          (0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase() +
          '%' +
          (0x80 | (code & 0x3f)).toString(16).toUpperCase()
        : encodeURIComponent(ch);
  }
  return out;
}

function queryText(query: [string, unknown][]): string {
  const parts: string[] = [];
  for (const [name, value] of query) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values)
      parts.push(`${encodePart(name)}=${encodePart(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Which ids a path parameter takes: the resource is the path segment before it. */
function resourceOf(path: string, param: string): string {
  if (param === 'blockId') return 'blocks';
  if (param === 'toolId') return 'tools';
  if (param === 'label') return 'labels';
  const segments = path.split('/');
  const at = segments.indexOf(`{${param}}`);
  return segments[at - 1] ?? 'unknown';
}

describe('fuzz: every operation of the OpenAPI document', () => {
  const llm = new FakeLlm();
  let t: TestApp;
  let a: Org;
  let b: Org;
  let doc: OpenApiDocument;
  let snapshotOfB = '';
  /** Answers by operation and status: FUZZ_VERBOSE=1 prints them (to see what the cases reach). */
  const statusCounts: Record<string, Record<number, number>> = {};

  const http = () => t.http();

  async function seedOrg(name: string): Promise<Org> {
    const owner = await register(t, name);
    const as = bearer(owner.accessToken);
    const viewerEmail = uniqueEmail('viewer');
    const viewer = (
      await http()
        .post('/api/v1/users')
        .set(as)
        .send({ email: viewerEmail, name: 'Viewer', password: 'viewer-password', role: 'viewer' })
        .expect(201)
    ).body;
    const viewerToken = (
      await http().post('/api/v1/auth/login').send({ email: viewerEmail, password: 'viewer-password' }).expect(200)
    ).body.accessToken;
    const adminKey = (
      await http()
        .post('/api/v1/api-keys')
        .set(as)
        .send({ name: 'admin', scopes: ['read', 'write', 'admin'] })
        .expect(201)
    ).body;
    const readKey = (
      await http()
        .post('/api/v1/api-keys')
        .set(as)
        .send({ name: 'read', scopes: ['read'] })
        .expect(201)
    ).body;
    const memory = (
      await http()
        .post('/api/v1/memories')
        .set(as)
        .send({ content: `${name} likes green tea`, userId: 'alice', infer: false })
        .expect(201)
    ).body;
    const block = (
      await http().post('/api/v1/blocks').set(as).send({ label: 'shared', value: 'shared notes' }).expect(201)
    ).body;
    const tool = (
      await http()
        .post('/api/v1/tools')
        .set(as)
        .send({
          name: 'add',
          description: 'adds',
          parameters: { type: 'object', properties: { a: { type: 'number' } } },
          sourceCode: 'return (args.a ?? 0) + 1;',
          secrets: { TOKEN: 'secret-value-123' },
        })
        .expect(201)
    ).body;
    const agent = (
      await http()
        .post('/api/v1/agents')
        .set(as)
        .send({ name: 'helper', toolIds: [tool.id], blockIds: [block.id] })
        .expect(201)
    ).body;
    const job = (
      await http()
        .post('/api/v1/memories')
        .set(as)
        .send({ content: `${name} job`, userId: 'bob', infer: false, async: true })
        .expect(202)
    ).body;
    return {
      owner,
      viewerToken,
      adminKey: adminKey.key,
      readKey: readKey.key,
      ids: {
        users: [owner.userId, viewer.id],
        'api-keys': [adminKey.id, readKey.id],
        memories: [memory.results?.[0]?.id ?? memory.id].filter(Boolean),
        blocks: [block.id],
        tools: [tool.id],
        agents: [agent.id],
        jobs: [job.jobId],
        labels: ['persona', 'human', 'shared'],
      },
    };
  }

  /** Whether every credential and resource of the fixture still works. */
  async function intact(org: Org): Promise<boolean> {
    const me = async (headers: Record<string, string>) =>
      (await http().get('/api/v1/auth/me').set(headers)).status === 200;
    const checks = [
      me(bearer(org.owner.accessToken)),
      me(bearer(org.viewerToken)),
      me({ 'X-API-Key': org.adminKey }),
      me({ 'X-API-Key': org.readKey }),
    ];
    for (const resource of ['users', 'api-keys', 'memories', 'blocks', 'tools', 'agents', 'jobs']) {
      for (const id of org.ids[resource])
        checks.push(
          http()
            .get(`/api/v1/${resource}/${id}`)
            .set(bearer(org.owner.accessToken))
            .then((r) => r.status === 200),
        );
    }
    return (await Promise.all(checks)).every(Boolean);
  }

  /** Everything organization B holds, as its owner reads it. */
  async function snapshot(org: Org): Promise<string> {
    const as = bearer(org.owner.accessToken);
    const read = async (path: string) => {
      const res = await http().get(path).set(as);
      expect(res.status).toBe(200);
      return res.body;
    };
    const parts = await Promise.all([
      read('/api/v1/users?limit=100'),
      read('/api/v1/api-keys?limit=100'),
      read('/api/v1/memories?limit=100'),
      read('/api/v1/agents?limit=100'),
      read('/api/v1/blocks?limit=100'),
      read('/api/v1/tools?limit=100'),
      ...org.ids.memories.map((id) => read(`/api/v1/memories/${id}/history`)),
      ...org.ids.agents.map((id) => read(`/api/v1/agents/${id}/messages?limit=100`)),
      ...org.ids.tools.map((id) => read(`/api/v1/tools/${id}/runs?limit=100`)),
    ]);
    return JSON.stringify(parts);
  }

  beforeAll(async () => {
    await llm.start();
    llm.script = (request) => (request.response_format ? '{"facts": []}' : 'OK.');
    t = await startTestApp({
      ...llm.env,
    });
    a = await seedOrg('Org A');
    b = await seedOrg('Org B');
    doc = (await http().get('/docs-json').expect(200)).body;
    snapshotOfB = await snapshot(b);
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
  });

  function caseOf(op: Operation, schemas: SchemaArbitraries): fc.Arbitrary<Case> {
    const credential = fc.constantFrom<Credential>(
      'owner',
      'owner',
      'owner',
      'owner',
      'owner',
      'owner',
      'owner',
      'owner',
      'viewer',
      'adminKey',
      'readKey',
      'none',
      'garbage',
      'foreignShape',
      'apiKeyGarbage',
    );
    const pathValues = fc.tuple(
      ...op.pathParams.map((p) => {
        const resource = resourceOf(op.path, p);
        return fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...(a.ids[resource] ?? ['x'])) },
          { weight: 2, arbitrary: fc.constantFrom(...(b.ids[resource] ?? ['x'])) },
          { weight: 1, arbitrary: fc.uuid() },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              '\u0000',
              '\ud800',
              'x'.repeat(300),
              '..',
              '%',
              'null',
              '00000000-0000-0000-0000-000000000000',
              ' ',
              'persona\u0000',
            ),
          },
        );
      }),
    );
    const poison = fc.constantFrom(...POISON_STRINGS);
    const query = fc.oneof(
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            ...op.query.map((p) =>
              fc.oneof(
                { weight: 2, arbitrary: fc.constant<[string, unknown] | null>(null) },
                { weight: 3, arbitrary: fc.constant<[string, unknown]>([p.name, schemas.example(p.schema ?? {})]) },
                { weight: 2, arbitrary: schemas.value(p.schema ?? {}).map((v): [string, unknown] => [p.name, v]) },
                {
                  weight: 1,
                  arbitrary: fc
                    .array(schemas.value(p.schema ?? {}), { minLength: 2, maxLength: 3 })
                    .map((v): [string, unknown] => [p.name, v]),
                },
              ),
            ),
            fc.option(
              fc.tuple(
                fc.constantFrom('unknown', '__proto__', 'limit[gt]', 'a[b][c][d]', 'token'),
                fc.string({ maxLength: 20 }),
              ),
              { freq: 4 },
            ),
          )
          .map((entries) => entries.filter((e): e is [string, unknown] => e !== null)),
      },
      // Every parameter the same poisoned text (the page size keeps a valid value).
      {
        weight: 1,
        arbitrary: poison.map((text) =>
          op.query.map((p): [string, unknown] => [p.name, p.name === 'limit' ? 10 : text]),
        ),
      },
    );
    const body: fc.Arbitrary<{ contentType?: string; body?: string }> = op.body
      ? fc.oneof(
          {
            weight: 10,
            arbitrary: (op.body.mediaType === 'application/json'
              ? fc
                  .oneof(
                    { weight: 2, arbitrary: schemas.value(op.body.schema) },
                    { weight: 3, arbitrary: schemas.mutated(op.body.schema) },
                    { weight: 3, arbitrary: poison.map((text) => schemas.everyString(op.body!.schema, text)) },
                    { weight: 1, arbitrary: fc.constant(schemas.nulls(op.body.schema)) },
                  )
                  .map(serialize)
              : fc
                  .array(
                    fc
                      .oneof(
                        schemas.mutated(IMPORT_LINE),
                        poison.map((text) => schemas.everyString(IMPORT_LINE, text)),
                      )
                      .map(serialize),
                    { minLength: 1, maxLength: 3 },
                  )
                  .map((lines) => lines.join('\n'))
            ).map((text) => ({ contentType: op.body!.mediaType, body: text })),
          },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom(
                '{"a":',
                '',
                '[1,2]',
                '"text"',
                'null',
                '\u0000',
                '{"content": "\\u0000"}',
                '{"a": 1, "a": 2}',
              )
              .map((text) => ({ contentType: 'application/json', body: text })),
          },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom(
                'text/plain',
                'application/x-www-form-urlencoded',
                'application/json; charset=utf-16',
                'multipart/form-data; boundary=x',
              )
              .map((contentType) => ({ contentType, body: 'a=1&b=2' })),
          },
        )
      : op.method === 'GET' || op.method === 'HEAD'
        ? fc.constant({})
        : fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: hostileBody() });
    const extraHeader = fc.option(
      fc.tuple(
        fc.constantFrom(
          'X-Request-Id',
          'Last-Event-ID',
          'Accept',
          'Accept-Encoding',
          'Origin',
          'X-Forwarded-For',
          'Range',
          'If-None-Match',
        ),
        fc.oneof(
          fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
          fc.constantFrom(
            '*/*',
            'text/event-stream',
            'gzip, br',
            '999999999999999999999',
            'bytes=0-1,2-3',
            '../..',
            ' ',
          ),
        ),
      ),
      { freq: 3 },
    );
    return fc
      .tuple(credential, pathValues, query, body, extraHeader)
      .map(([c, p, q, bd, h]) => ({ credential: c, pathValues: p, query: q, ...bd, extraHeader: h }));
  }

  function hostileBody(): fc.Arbitrary<{ contentType?: string; body?: string }> {
    return fc
      .constantFrom('{"x": 1}', '[]', '{"a":'.repeat(2000) + '1' + '}'.repeat(2000))
      .map((body) => ({ contentType: 'application/json', body }));
  }

  function headersOf(c: Case): Record<string, string> {
    const h: Record<string, string> = {};
    switch (c.credential) {
      case 'owner':
        h.Authorization = `Bearer ${a.owner.accessToken}`;
        break;
      case 'viewer':
        h.Authorization = `Bearer ${a.viewerToken}`;
        break;
      case 'adminKey':
        h['X-API-Key'] = a.adminKey;
        break;
      case 'readKey':
        h.Authorization = `Bearer ${a.readKey}`;
        break;
      case 'garbage':
        h.Authorization = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
        break;
      case 'foreignShape':
        h.Authorization = `Token ${a.adminKey}`;
        break;
      case 'apiKeyGarbage':
        h['X-API-Key'] = 'am_' + 'z'.repeat(60);
        break;
      case 'none':
        break;
    }
    if (c.contentType) h['Content-Type'] = c.contentType;
    if (c.extraHeader) h[c.extraHeader[0]] = c.extraHeader[1];
    return h;
  }

  /** Sends one case; returns a problem, or null when the answer is acceptable. */
  async function send(op: Operation, c: Case): Promise<string | null> {
    let i = 0;
    const path = op.path.replace(/\{[^}]+\}/g, () => encodePart(c.pathValues[i++] ?? 'x'));
    const url = `${t.url}${path}${queryText(c.query)}`;
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(url, {
        method: op.method,
        headers: headersOf(c),
        body: c.body,
        signal: AbortSignal.timeout(RESPONSE_LIMIT_MS),
      });
    } catch (error) {
      return `${op.method} ${url}: no answer within ${RESPONSE_LIMIT_MS} ms (${(error as Error).message})`;
    }
    const isStream = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
    const text = isStream ? (await res.body?.cancel(), '') : await res.text();
    const ms = performance.now() - started;
    const key = `${op.method} ${op.path}`;
    const counts = (statusCounts[key] ??= {});
    counts[res.status] = (counts[res.status] ?? 0) + 1;
    const what = `${op.method} ${url.slice(0, 200)} [${c.credential}] body(${(c.body ?? '').length})=${(c.body ?? '').slice(0, 160)}`;
    if (res.status >= 500) return `${what}: ${res.status} ${text.slice(0, 300)}`;
    if (ms > RESPONSE_LIMIT_MS) return `${what}: answered after ${Math.round(ms)} ms`;
    // 431 and 414 come from Node's HTTP parser, before any application code, with no body.
    if (res.status >= 400 && res.status !== 431 && res.status !== 414) {
      let body: { statusCode?: unknown; code?: unknown; message?: unknown };
      try {
        body = JSON.parse(text);
      } catch {
        return `${what}: ${res.status} is not the JSON error shape: ${text.slice(0, 200)}`;
      }
      if (body.statusCode !== res.status || typeof body.code !== 'string' || typeof body.message !== 'string')
        return `${what}: ${res.status} is not the JSON error shape: ${text.slice(0, 200)}`;
    }
    return null;
  }

  it(
    `answers every generated request of every operation with no 5xx (seed ${SEED}, ${RUNS} cases per operation)`,
    async () => {
      // The seed goes to the log so a failing random run can be repeated with FUZZ_SEED.
      process.stdout.write(`fuzz seed ${SEED}, ${RUNS} runs per operation\n`);
      const schemas = new SchemaArbitraries(doc);
      const operations = operationsOf(doc);
      expect(operations.length).toBeGreaterThan(50);
      const failures: string[] = [];
      let sent = 0;
      for (const [index, op] of operations.entries()) {
        // The previous operation's cases may have revoked a key, deleted the viewer or a resource.
        if (!(await intact(a))) a = await seedOrg(`Org A ${index}`);
        let problem: string | null = null;
        try {
          await fc.assert(
            fc.asyncProperty(caseOf(op, schemas), async (c) => {
              sent += 1;
              problem = await send(op, c);
              if (problem) throw new Error(problem);
            }),
            { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
          );
        } catch (error) {
          failures.push(problem ?? String(error));
        }
        const ready = await http().get('/health/ready');
        if (ready.status !== 200)
          failures.push(`after ${op.method} ${op.path}: /health/ready answered ${ready.status}`);
        const now = await snapshot(b);
        if (now !== snapshotOfB) {
          failures.push(`after ${op.method} ${op.path}: organization B's data changed`);
          snapshotOfB = now;
        }
      }
      if (process.env.FUZZ_VERBOSE) {
        for (const [key, counts] of Object.entries(statusCounts))
          process.stdout.write(
            `${key}: ${Object.entries(counts)
              .map(([st, n]) => `${st}×${n}`)
              .join(' ')}\n`,
          );
      }
      expect(failures).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(operations.length * RUNS);
    },
    30 * 60_000,
  );
});
