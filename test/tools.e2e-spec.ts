import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { FakeLlm } from './support/fake-llm.js';
import type { ChatReply } from './support/fake-llm.js';
import { uuidv7 } from '../src/common/ids.js';
import { JobRunner } from '../src/jobs/runners/job-runner.js';
import { SandboxPool } from '../src/tools/sandbox/sandbox-pool.js';
import { eventually } from './support/realtime-clients.js';
import { bearer, expectErrorShape, register, startTestApp } from './support/test-app.js';
import type { Registered, TestApp } from './support/test-app.js';

const ADD = {
  name: 'add',
  description: 'Adds two numbers',
  parameters: {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' } },
    required: ['a', 'b'],
    additionalProperties: false,
  },
  sourceCode: 'return args.a + args.b',
  tags: ['math'],
};

/** A web server the fetch tests may (or may not) reach; it records every request. */
class Upstream {
  readonly seen: string[] = [];
  readonly headers: IncomingMessage['headers'][] = [];
  private server?: Server;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.seen.push(req.url ?? '');
      this.headers.push(req.headers);
      if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://example.invalid/' }).end();
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' })
        .end(JSON.stringify({ path: req.url, method: req.method }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('tools: registry and sandboxed execution', () => {
  const llm = new FakeLlm();
  const upstream = new Upstream();
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  let add: { id: string };
  let replies: ChatReply[] = [];

  const http = () => t.http();
  const as = (who: Registered) => bearer(who.accessToken);
  const createTool = async (who: Registered, body: Record<string, unknown>) => {
    const res = await http().post('/api/v1/tools').set(as(who)).send(body);
    if (res.status !== 201)
      throw new Error(`creating tool ${String(body.name)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  let seq = 0;
  /** Registers a throwaway tool of org A and runs it once; the run's answer. */
  const runOnce = async (
    sourceCode: string,
    extra: Record<string, unknown> = {},
    args: Record<string, unknown> = {},
  ) => {
    seq += 1;
    const tool = await createTool(a, {
      name: `t${seq}`,
      description: 'test',
      parameters: { type: 'object' },
      sourceCode,
      ...extra,
    });
    return (await http().post(`/api/v1/tools/${tool.id}/run`).set(as(a)).send({ args }).expect(200)).body;
  };
  const runsOf = async (who: Registered, id: string) =>
    (await http().get(`/api/v1/tools/${id}/runs`).query({ limit: 100 }).set(as(who)).expect(200)).body.data;
  /** The server still answers, and a fresh isolate still adds. */
  const expectHealthy = async () => {
    await http().get('/health/live').expect(200);
    const res = await http()
      .post(`/api/v1/tools/${add.id}/run`)
      .set(as(a))
      .send({ args: { a: 20, b: 22 } })
      .expect(200);
    expect(res.body).toEqual(expect.objectContaining({ status: 'ok', result: 42 }));
  };

  beforeAll(async () => {
    await llm.start();
    await upstream.start();
    llm.script = (request) => (request.response_format ? '{"facts": []}' : (replies.shift() ?? 'OK.'));
    t = await startTestApp({
      ...llm.env,
      TOOLS_CONCURRENCY: '2',
      TOOLS_QUEUE_MAX: '48',
      TOOLS_FETCH_PRIVATE_NETWORKS: 'true',
    });
    a = await register(t, 'Org A');
    b = await register(t, 'Org B');
    add = await createTool(a, ADD);
  });
  afterAll(async () => {
    await t?.close();
    await llm.stop();
    await upstream.stop();
  });

  describe('registry', () => {
    it('adds two numbers: {a:1,b:2} gives 3, and the run is recorded', async () => {
      const res = await http()
        .post(`/api/v1/tools/${add.id}/run`)
        .set(as(a))
        .send({ args: { a: 1, b: 2 } })
        .expect(200);
      expect(res.body).toEqual({
        runId: expect.any(String),
        status: 'ok',
        result: 3,
        durationMs: expect.any(Number),
        cpuMs: expect.any(Number),
        logs: [],
      });
      const runs = await runsOf(a, add.id);
      expect(runs[0]).toEqual(
        expect.objectContaining({
          id: res.body.runId,
          toolId: add.id,
          caller: `user:${a.userId}`,
          agentId: null,
          status: 'ok',
          error: null,
          argsHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        }),
      );
      // The same arguments in another key order hash the same.
      const again = await http()
        .post(`/api/v1/tools/${add.id}/run`)
        .set(as(a))
        .send({ args: { b: 2, a: 1 } })
        .expect(200);
      const [latest, previous] = await runsOf(a, add.id);
      expect(latest.id).toBe(again.body.runId);
      expect(latest.argsHash).toBe(previous.argsHash);
    });

    it('refuses wrong-typed, missing and extra arguments with a 400 naming the field, running nothing', async () => {
      const before = (await runsOf(a, add.id)).length;
      const wrong = await http()
        .post(`/api/v1/tools/${add.id}/run`)
        .set(as(a))
        .send({ args: { a: '1', b: 2 } })
        .expect(400);
      expectErrorShape(wrong.body, 400);
      expect(wrong.body.message).toBe('args.a must be number');
      expect(
        (
          await http()
            .post(`/api/v1/tools/${add.id}/run`)
            .set(as(a))
            .send({ args: { a: 1 } })
            .expect(400)
        ).body.message,
      ).toBe('args.b is required');
      expect(
        (
          await http()
            .post(`/api/v1/tools/${add.id}/run`)
            .set(as(a))
            .send({ args: { a: 1, b: 2, c: 3 } })
            .expect(400)
        ).body.message,
      ).toBe('args.c is not an allowed property');
      expect(
        (
          await http()
            .post(`/api/v1/tools/${add.id}/run`)
            .set(as(a))
            .send({ args: [1, 2] })
            .expect(400)
        ).body.message,
      ).toMatch(/args must be an object/);
      expect((await runsOf(a, add.id)).length).toBe(before);
    });

    it('refuses bad tools naming the field, storing nothing', async () => {
      const before = (await http().get('/api/v1/tools').set(as(a)).expect(200)).body.data.length;
      const bad = (body: Record<string, unknown>) =>
        http()
          .post('/api/v1/tools')
          .set(as(a))
          .send({ ...ADD, name: 'fresh', ...body });
      expect((await bad({ name: '2add' }).expect(400)).body.message).toMatch(/name must be a function name/);
      expect((await bad({ name: 'add-two' }).expect(400)).body.message).toMatch(/name must be a function name/);
      expect((await bad({ name: 'core_memory_append' }).expect(400)).body.message).toMatch(/built-in tool/);
      expect((await bad({ name: 'add' }).expect(409)).body.message).toMatch(/a tool named add already exists/);
      expect(
        (await bad({ parameters: { type: 'object', properties: { a: { type: 'numbr' } } } }).expect(400)).body.message,
      ).toMatch(/parameters is not a valid JSON Schema: parameters\.properties\.a\.type/);
      expect((await bad({ parameters: { type: 'string' } }).expect(400)).body.message).toMatch(
        /parameters\.type must be "object"/,
      );
      expect((await bad({ parameters: 'object' }).expect(400)).body.message).toMatch(/parameters must be an object/);
      expect((await bad({ sourceCode: 'return (' }).expect(400)).body.message).toMatch(
        /sourceCode does not compile.*SyntaxError/,
      );
      expect(
        (await bad({ sourceCode: "import fs from 'fs';\nexport default () => fs" }).expect(400)).body.message,
      ).toMatch(/sourceCode .*imports are not available in tools \(fs\)/);
      expect((await bad({ timeoutMs: 60001 }).expect(400)).body.message).toMatch(
        /timeoutMs must not be greater than 60000/,
      );
      expect((await bad({ memoryLimitMb: 512 }).expect(400)).body.message).toMatch(
        /memoryLimitMb must not be greater than 256/,
      );
      expect((await bad({ allowedHosts: ['http://example.com/path'] }).expect(400)).body.message).toMatch(
        /allowedHosts/,
      );
      expect((await bad({ tags: ['a,b'] }).expect(400)).body.message).toMatch(/tags/);
      expect((await bad({ sourceCode: 'return 1', rogue: true }).expect(400)).body.message).toMatch(
        /property rogue should not exist/,
      );
      expect((await http().get('/api/v1/tools').set(as(a)).expect(200)).body.data.length).toBe(before);
    });

    it('takes a module exporting one function, and applies the defaults of its schema', async () => {
      const mod = await createTool(a, {
        name: 'greet',
        description: 'Greets',
        parameters: {
          type: 'object',
          properties: { name: { type: 'string' }, punctuation: { type: 'string', default: '!' } },
          required: ['name'],
        },
        sourceCode:
          'const hello = (n) => `Hello, ${n}`;\nexport default async function greet({ name, punctuation }) {\n  console.log("greeting", name);\n  return { text: hello(name) + punctuation };\n}',
      });
      expect(mod).toEqual(
        expect.objectContaining({ sourceFormat: 'module', timeoutMs: 5000, memoryLimitMb: 64, allowedHosts: [] }),
      );
      const res = await http()
        .post(`/api/v1/tools/${mod.id}/run`)
        .set(as(a))
        .send({ args: { name: 'Ada' } })
        .expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({ status: 'ok', result: { text: 'Hello, Ada!' }, logs: ['greeting Ada'] }),
      );
      const named = await runOnce(
        'export const version = 2;\nexport function double({ n }) { return n * 2 }',
        {},
        { n: 21 },
      );
      expect(named).toEqual(expect.objectContaining({ status: 'ok', result: 42 }));
      const two = await runOnce('export function a() { return 1 }\nexport function b() { return 2 }');
      expect(two).toEqual(
        expect.objectContaining({ status: 'error', error: expect.stringMatching(/must export one function.*a, b/) }),
      );
    });

    it('lists tools by tags (any or all), gets, updates and deletes them', async () => {
      const x = await createTool(a, { ...ADD, name: 'tagged_x', tags: ['alpha', 'beta'] });
      const y = await createTool(a, { ...ADD, name: 'tagged_y', tags: ['beta', 'gamma'] });
      const names = async (query: Record<string, string>) =>
        (await http().get('/api/v1/tools').query(query).set(as(a)).expect(200)).body.data.map(
          (d: { name: string }) => d.name,
        );
      expect(await names({ tags: 'alpha,gamma' })).toEqual(['tagged_x', 'tagged_y']);
      expect(await names({ tags: 'alpha,gamma', match: 'all' })).toEqual([]);
      expect(await names({ tags: 'beta,gamma', match: 'all' })).toEqual(['tagged_y']);
      expect(await names({ name: 'tagged_x' })).toEqual(['tagged_x']);
      expect((await http().get('/api/v1/tools').query({ match: 'some' }).set(as(a)).expect(400)).body.message).toMatch(
        /match/,
      );
      const page1 = (await http().get('/api/v1/tools').query({ limit: 1 }).set(as(a)).expect(200)).body;
      expect(page1.data).toHaveLength(1);
      expect(page1.nextCursor).toEqual(expect.any(String));

      const updated = (
        await http()
          .patch(`/api/v1/tools/${x.id}`)
          .set(as(a))
          .send({ sourceCode: 'return args.a * args.b', timeoutMs: 2000 })
          .expect(200)
      ).body;
      expect(updated).toEqual(
        expect.objectContaining({ sourceCode: 'return args.a * args.b', timeoutMs: 2000, tags: ['alpha', 'beta'] }),
      );
      expect(
        (
          await http()
            .post(`/api/v1/tools/${x.id}/run`)
            .set(as(a))
            .send({ args: { a: 6, b: 7 } })
            .expect(200)
        ).body.result,
      ).toBe(42);
      expect(
        (await http().patch(`/api/v1/tools/${x.id}`).set(as(a)).send({ sourceCode: 'return )' }).expect(400)).body
          .message,
      ).toMatch(/sourceCode/);
      expect(
        (await http().patch(`/api/v1/tools/${x.id}`).set(as(a)).send({ name: 'tagged_y' }).expect(409)).body.message,
      ).toMatch(/already exists/);
      expect(
        (await http().patch(`/api/v1/tools/${x.id}`).set(as(a)).send({ timeoutMs: null }).expect(400)).body.message,
      ).toMatch(/timeoutMs/);
      expect((await http().get(`/api/v1/tools/${x.id}`).set(as(a)).expect(200)).body.sourceCode).toBe(
        'return args.a * args.b',
      );

      await http().delete(`/api/v1/tools/${y.id}`).set(as(a)).expect(204);
      await http().get(`/api/v1/tools/${y.id}`).set(as(a)).expect(404);
      await http().get(`/api/v1/tools/${y.id}/runs`).set(as(a)).expect(404);
    });

    it('forgets run records older than TOOL_RUN_RETENTION_DAYS in the maintenance job', async () => {
      const kept = await http()
        .post(`/api/v1/tools/${add.id}/run`)
        .set(as(a))
        .send({ args: { a: 3, b: 4 } })
        .expect(200);
      const old = await http()
        .post(`/api/v1/tools/${add.id}/run`)
        .set(as(a))
        .send({ args: { a: 5, b: 6 } })
        .expect(200);
      await t.app
        .get(DataSource)
        .query(`UPDATE tool_runs SET created_at = now() - interval '31 days' WHERE id = $1`, [old.body.runId]);
      const runner = t.app.get(JobRunner);
      const id = uuidv7();
      await runner.enqueue('maintenance', { organizationId: null, principal: null, payload: {} }, id);
      await eventually(async () => (await runner.find(id))?.state === 'completed', 30_000, 'maintenance completed');
      expect((await runner.find(id))!.result).toEqual(expect.objectContaining({ toolRuns: 1 }));
      const ids = (await runsOf(a, add.id)).map((r: { id: string }) => r.id);
      expect(ids).toContain(kept.body.runId);
      expect(ids).not.toContain(old.body.runId);
    });

    it('keeps console output, capped', async () => {
      const res = await runOnce(
        'for (let i = 0; i < 100000; i++) console.log("line", i, { i });\nconsole.error("oops");\nreturn "done"',
      );
      expect(res.status).toBe('ok');
      expect(res.logs[0]).toBe('line 0 {"i":0}');
      expect(res.logs[res.logs.length - 1]).toMatch(/more lines dropped: console output is capped at 65536 bytes/);
      expect(Buffer.byteLength(res.logs.join('\n'))).toBeLessThan(70_000);
    });
  });

  describe('escape and abuse attempts are contained', () => {
    afterEach(expectHealthy);

    it('while(true){} ends as a timeout at the tool’s limit', async () => {
      const started = Date.now();
      const res = await runOnce('while (true) {}', { timeoutMs: 1000 });
      expect(res).toEqual(
        expect.objectContaining({ status: 'timeout', error: 'the tool ran longer than its timeout of 1000 ms' }),
      );
      expect(res.durationMs).toBeGreaterThanOrEqual(990);
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('allocating until out of memory ends at the memory limit', async () => {
      const res = await runOnce('const keep = [];\nwhile (true) keep.push(new Array(1e6).fill(Math.random()));', {
        memoryLimitMb: 16,
      });
      expect(res).toEqual(
        expect.objectContaining({ status: 'error', error: 'the tool went over its memory limit of 16 MB' }),
      );
    });

    it('process.exit() does not exist', async () => {
      const res = await runOnce('process.exit(1)');
      expect(res).toEqual(
        expect.objectContaining({ status: 'error', error: 'ReferenceError: process is not defined' }),
      );
    });

    it("require('fs') does not exist", async () => {
      const res = await runOnce("const fs = require('fs'); return fs.readFileSync('/etc/passwd', 'utf8')");
      expect(res).toEqual(
        expect.objectContaining({ status: 'error', error: 'ReferenceError: require is not defined' }),
      );
    });

    it("import('child_process') is refused", async () => {
      const res = await runOnce("const cp = await import('child_process'); return cp.execSync('id').toString()");
      expect(res.status).toBe('error');
      expect(res.error).toMatch(/not supported/i);
    });

    it("globalThis.constructor.constructor('return process')() finds no process", async () => {
      const res = await runOnce("const p = globalThis.constructor.constructor('return process')(); return p.pid");
      expect(res).toEqual(
        expect.objectContaining({ status: 'error', error: 'ReferenceError: process is not defined' }),
      );
      const viaFunction = await runOnce(
        "return Function('return typeof process + typeof require + typeof globalThis.Deno')()",
      );
      expect(viaFunction).toEqual(expect.objectContaining({ status: 'ok', result: 'undefinedundefinedundefined' }));
    });

    it("prototype pollution reaches neither the host's objects nor the next run", async () => {
      const res = await runOnce(
        [
          "Object.prototype.polluted = 'yes';",
          'Array.prototype.map = null; JSON.parse = null; JSON.stringify = () => "hijacked";',
          "args.__proto__.viaArgs = 'yes';",
          "return { ['__proto__']: { polluted: 'yes' }, constructor: { prototype: { polluted: 'yes' } } };",
        ].join('\n'),
      );
      expect(res.status).toBe('ok');
      // Arguments with a __proto__ key arrive as data, not as a prototype.
      const raw = await http()
        .post(`/api/v1/tools/${add.id}/run`)
        .set(as(a))
        .set('content-type', 'application/json')
        .send('{"args": {"a": 1, "b": 2, "__proto__": {"polluted": "yes"}}}');
      expect([200, 400]).toContain(raw.status);
      const probe: Record<string, unknown> = {};
      expect(probe.polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
      expect([1, 2].map((n) => n * 2)).toEqual([2, 4]);
      const next = await runOnce('return [typeof ({}).polluted, typeof [].map, JSON.stringify({ a: 1 })]');
      expect(next.result).toEqual(['undefined', 'function', '{"a":1}']);
    });

    it('a then() put on Object.prototype cannot replace the answer, and errors stay short', async () => {
      const res = await runOnce(
        "Object.prototype.then = function (resolve) { delete Object.prototype.then; resolve({ error: 'E'.repeat(5e6) }); };\nreturn 1",
      );
      expect(res).toEqual(expect.objectContaining({ status: 'ok', result: 1 }));
      const long = await runOnce("throw new Error('x'.repeat(5e6))");
      expect(long.status).toBe('error');
      expect(long.error.length).toBeLessThanOrEqual(4000);
    });

    it('a 100 MB result string is refused at 1 MB', async () => {
      const res = await runOnce("return 'x'.repeat(100 * 1024 * 1024)", { memoryLimitMb: 256, timeoutMs: 30000 });
      expect(res.status).toBe('error');
      expect(res.error).toMatch(/result is \d+ characters of JSON; the limit is 1048576 bytes|memory limit/);
      const small = await runOnce("return 'x'.repeat(64)");
      expect(small.result).toBe('x'.repeat(64));
    });

    it('a thrown non-Error comes back as an error message', async () => {
      expect(await runOnce("throw 'boom'")).toEqual(
        expect.objectContaining({ status: 'error', error: 'thrown: boom' }),
      );
      expect(await runOnce('throw { code: 42 }')).toEqual(
        expect.objectContaining({ status: 'error', error: 'thrown: {"code":42}' }),
      );
      expect(await runOnce('throw null')).toEqual(expect.objectContaining({ status: 'error', error: 'thrown: null' }));
      const sneaky = await runOnce('throw { toString() { while (true) {} } , toJSON() { while (true) {} } }', {
        timeoutMs: 500,
      });
      expect(sneaky.status).toBe('timeout');
      expect(await runOnce('return 1n')).toEqual(
        expect.objectContaining({ status: 'error', error: expect.stringMatching(/the result is not JSON/) }),
      );
    });

    it('a never-resolving promise ends as a timeout', async () => {
      const res = await runOnce('await new Promise(() => {})', { timeoutMs: 500 });
      expect(res).toEqual(expect.objectContaining({ status: 'timeout' }));
    });

    it('50 concurrent heavy runs all finish', async () => {
      const heavy = await createTool(a, {
        name: 'heavy',
        description: 'burns CPU',
        parameters: { type: 'object' },
        sourceCode: 'let x = 0; for (let i = 0; i < 2e7; i++) x += i % 7; return x',
      });
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => http().post(`/api/v1/tools/${heavy.id}/run`).set(as(a)).send({ args: {} })),
      );
      expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(answers.map((r) => r.body.result)).toEqual(Array(50).fill(59999997));
      expect((await runsOf(a, heavy.id)).length).toBe(50);
    });

    it('a sandbox process killed mid-run answers an error and is replaced', async () => {
      const pool = t.app.get(SandboxPool);
      const tool = await createTool(a, {
        name: 'spin',
        description: 'spins',
        parameters: { type: 'object' },
        sourceCode: 'while (true) {}',
        timeoutMs: 20000,
      });
      const pending = http().post(`/api/v1/tools/${tool.id}/run`).set(as(a)).send({ args: {} });
      const running = pending.then((r) => r);
      await eventually(() => pool.busyPids.length > 0, 10_000, 'a busy sandbox');
      // Let the run start inside the process before killing it.
      await new Promise((r) => setTimeout(r, 300));
      process.kill(pool.busyPids[0], 'SIGKILL');
      const res = await running;
      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          status: 'error',
          error: expect.stringMatching(/sandbox process ended during the run \(SIGKILL\)/),
        }),
      );
    });
  });

  it('a tool deleted while it runs still answers its run', async () => {
    const tool = await createTool(a, {
      name: 'slow_delete',
      description: 'waits',
      parameters: { type: 'object' },
      sourceCode: 'await new Promise((r) => setTimeout(r, 400)); return "finished"',
    });
    const running = http()
      .post(`/api/v1/tools/${tool.id}/run`)
      .set(as(a))
      .send({ args: {} })
      .then((r) => r);
    await new Promise((r) => setTimeout(r, 150));
    await http().delete(`/api/v1/tools/${tool.id}`).set(as(a)).expect(204);
    const res = await running;
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ status: 'ok', result: 'finished' }));
  });

  describe('fetch and timers', () => {
    it('has no fetch unless the tool allows hosts, and reaches only those', async () => {
      expect((await runOnce('return typeof fetch')).result).toBe('undefined');
      const host = `127.0.0.1:${upstream.port}`;
      const res = await runOnce(
        `const r = await fetch('http://${host}/hello', { method: 'POST', body: 'x' });\nreturn { status: r.status, header: r.headers.get('X-Upstream'), body: await r.json() }`,
        { allowedHosts: [host] },
      );
      expect(res).toEqual(
        expect.objectContaining({
          status: 'ok',
          result: { status: 200, header: 'yes', body: { path: '/hello', method: 'POST' } },
        }),
      );
      const other = await runOnce(`return (await fetch('http://127.0.0.1:1/x')).status`, { allowedHosts: [host] });
      expect(other).toEqual(
        expect.objectContaining({
          status: 'error',
          error: "Error: fetch: host 127.0.0.1:1 is not in this tool's allowedHosts",
        }),
      );
      const file = await runOnce(`return (await fetch('file:///etc/passwd')).status`, { allowedHosts: [host] });
      expect(file.error).toMatch(/only http and https/);
      const redirect = await runOnce(`const r = await fetch('http://${host}/redirect'); return r.status`, {
        allowedHosts: [host],
      });
      expect(redirect.result).toBe(302);
      expect(upstream.seen.filter((p) => p !== '/keyed')).toEqual(['/hello', '/redirect']);
    });

    it('gives a tool its secrets as env, never returns or stores them in clear, and hides them in logs', async () => {
      const host = `127.0.0.1:${upstream.port}`;
      const secret = 'sk-test-4f9c2b7e';
      const tool = await createTool(a, {
        name: 'with_secret',
        description: 'calls an API with a key',
        parameters: { type: 'object' },
        sourceCode: `console.log('key is', env.API_KEY);\nconst r = await fetch('http://${host}/keyed', { headers: { authorization: 'Bearer ' + env.API_KEY } });\ntry { env.API_KEY = 'changed'; } catch {}\nreturn { status: r.status, length: env.API_KEY.length, names: Object.keys(env) }`,
        allowedHosts: [host],
        secrets: { API_KEY: secret },
      });
      expect(tool.secretNames).toEqual(['API_KEY']);
      expect(JSON.stringify(tool)).not.toContain(secret);
      expect(JSON.stringify((await http().get(`/api/v1/tools/${tool.id}`).set(as(a)).expect(200)).body)).not.toContain(
        secret,
      );
      expect(
        JSON.stringify((await http().get('/api/v1/tools').query({ limit: 100 }).set(as(a)).expect(200)).body),
      ).not.toContain(secret);
      const res = (await http().post(`/api/v1/tools/${tool.id}/run`).set(as(a)).send({ args: {} }).expect(200)).body;
      expect(res).toEqual(
        expect.objectContaining({
          status: 'ok',
          result: { status: 200, length: secret.length, names: ['API_KEY'] },
          logs: ['key is [secret API_KEY]'],
        }),
      );
      expect(upstream.headers.at(-1)?.authorization).toBe(`Bearer ${secret}`);
      const failing = await createTool(a, {
        name: 'leaky',
        description: 'throws its key',
        parameters: { type: 'object' },
        sourceCode: 'throw new Error("bad key " + env.TOKEN)',
        secrets: { TOKEN: 'tok-123456' },
      });
      const thrown = (await http().post(`/api/v1/tools/${failing.id}/run`).set(as(a)).send({ args: {} }).expect(200))
        .body;
      expect(thrown.error).toBe('Error: bad key [secret TOKEN]');
      expect((await runsOf(a, failing.id))[0].error).toBe('Error: bad key [secret TOKEN]');
      // At rest the row holds no secret in clear.
      const rows: { secrets: string }[] = await t.app
        .get(DataSource)
        .query('SELECT secrets FROM tools WHERE id = $1', [tool.id]);
      expect(rows[0].secrets).toMatch(/^v1:/);
      expect(rows[0].secrets).not.toContain(secret);
      // Bad secrets are a 400 naming the field; {} removes them all.
      expect(
        (
          await http()
            .patch(`/api/v1/tools/${tool.id}`)
            .set(as(a))
            .send({ secrets: { 'bad-name': 'x' } })
            .expect(400)
        ).body.message,
      ).toMatch(/^secrets\.bad-name: a name must be/);
      expect(
        (
          await http()
            .patch(`/api/v1/tools/${tool.id}`)
            .set(as(a))
            .send({ secrets: { OK: 42 } })
            .expect(400)
        ).body.message,
      ).toMatch(/^secrets\.OK must be a string/);
      expect(
        (
          await http()
            .patch(`/api/v1/tools/${tool.id}`)
            .set(as(a))
            .send({ secrets: { constructor: 'sk-x' } })
            .expect(400)
        ).body.message,
      ).toMatch(/^secrets must hold at least one NAME: value pair/);
      expect((await http().get(`/api/v1/tools/${tool.id}`).set(as(a)).expect(200)).body.secretNames).toEqual([
        'API_KEY',
      ]);
      // A result that carries a secret, as it is or inside JSON, is redacted before anyone sees it.
      const quoted = 'sk-"quoted"\\-9876';
      const echo = await createTool(a, {
        name: 'echo_secret',
        description: 'returns its key',
        parameters: { type: 'object' },
        sourceCode: 'console.log({ k: env.K });\nreturn { plain: env.K, nested: JSON.stringify({ k: env.K }) }',
        secrets: { K: quoted },
      });
      const echoed = (await http().post(`/api/v1/tools/${echo.id}/run`).set(as(a)).send({ args: {} }).expect(200)).body;
      expect(echoed.result).toEqual({ plain: '[secret K]', nested: '{"k":"[secret K]"}' });
      expect(echoed.logs).toEqual(['{"k":"[secret K]"}']);
      expect(JSON.stringify(echoed)).not.toContain('quoted');
      expect(
        (await http().patch(`/api/v1/tools/${tool.id}`).set(as(a)).send({ secrets: {} }).expect(400)).body.message,
      ).toMatch(/^secrets must hold at least one/);
      expect(
        (await http().patch(`/api/v1/tools/${tool.id}`).set(as(a)).send({ secrets: null }).expect(200)).body
          .secretNames,
      ).toEqual([]);
      const after = (await http().post(`/api/v1/tools/${tool.id}/run`).set(as(a)).send({ args: {} }).expect(200)).body;
      expect(after.status).toBe('error');
      expect(after.error).toMatch(/TypeError/);
    });

    it('no timer outlives its call', async () => {
      const host = `127.0.0.1:${upstream.port}`;
      const res = await runOnce(
        `setTimeout(() => fetch('http://${host}/late'), 200);\nawait new Promise((r) => setTimeout(r, 20));\nreturn 'returned'`,
        { allowedHosts: [host] },
      );
      expect(res).toEqual(expect.objectContaining({ status: 'ok', result: 'returned' }));
      await new Promise((r) => setTimeout(r, 600));
      expect(upstream.seen).not.toContain('/late');
    });
  });

  describe('agents', () => {
    it('attaches and detaches tools; deleting a tool detaches it', async () => {
      const agent = (
        await http()
          .post('/api/v1/agents')
          .set(as(a))
          .send({ name: 'calc', toolIds: [add.id] })
          .expect(201)
      ).body;
      expect(agent.toolIds).toEqual([add.id]);
      const extra = await createTool(a, { ...ADD, name: 'to_delete' });
      expect(
        (await http().patch(`/api/v1/agents/${agent.id}/tools/attach/${extra.id}`).set(as(a)).expect(200)).body.toolIds,
      ).toEqual([add.id, extra.id]);
      expect(
        (await http().patch(`/api/v1/agents/${agent.id}/tools/attach/${extra.id}`).set(as(a)).expect(200)).body.toolIds,
      ).toEqual([add.id, extra.id]);
      expect(
        (await http().get(`/api/v1/agents/${agent.id}/tools`).set(as(a)).expect(200)).body.map(
          (x: { name: string }) => x.name,
        ),
      ).toEqual(['add', 'to_delete']);
      await http().delete(`/api/v1/tools/${extra.id}`).set(as(a)).expect(204);
      expect((await http().get(`/api/v1/agents/${agent.id}`).set(as(a)).expect(200)).body.toolIds).toEqual([add.id]);
      expect(
        (await http().patch(`/api/v1/agents/${agent.id}/tools/detach/${add.id}`).set(as(a)).expect(200)).body.toolIds,
      ).toEqual([]);
      await http().patch(`/api/v1/agents/${agent.id}/tools/detach/${add.id}`).set(as(a)).expect(404);
      expect(
        (
          await http()
            .patch(`/api/v1/agents/${agent.id}`)
            .set(as(a))
            .send({ toolIds: [add.id] })
            .expect(200)
        ).body.toolIds,
      ).toEqual([add.id]);
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect(
        (
          await http()
            .patch(`/api/v1/agents/${agent.id}`)
            .set(as(a))
            .send({ toolIds: [add.id, unknown] })
            .expect(400)
        ).body.message,
      ).toBe(`toolIds[1]: there is no tool ${unknown} in this organization`);
      expect((await http().get(`/api/v1/agents/${agent.id}`).set(as(a)).expect(200)).body.toolIds).toEqual([add.id]);
    });

    it('offers attached tools to the model, runs its calls in the sandbox and returns results and errors as tool messages', async () => {
      const failing = await createTool(a, {
        name: 'fails',
        description: 'always throws',
        parameters: { type: 'object' },
        sourceCode: "throw new RangeError('out of range')",
      });
      const agent = (
        await http()
          .post('/api/v1/agents')
          .set(as(a))
          .send({ name: 'calc', toolIds: [add.id, failing.id] })
          .expect(201)
      ).body;
      replies = [
        {
          toolCalls: [
            { name: 'add', arguments: { a: 2, b: 3 } },
            { name: 'add', arguments: { a: 'two', b: 3 } },
            { name: 'fails', arguments: {} },
          ],
        },
        'The sum is 5.',
      ];
      const before = llm.requests.length;
      const turn = await http()
        .post(`/api/v1/agents/${agent.id}/messages`)
        .set(as(a))
        .send({ messages: [{ content: 'What is 2 + 3?' }] })
        .expect(200);
      const request = llm.requests.slice(before).find((r) => !r.response_format)!;
      const offered = (request.tools ?? []) as { function: { name: string; parameters: unknown } }[];
      expect(offered.map((x) => x.function.name)).toEqual(
        expect.arrayContaining(['core_memory_append', 'add', 'fails']),
      );
      expect(offered.find((x) => x.function.name === 'add')!.function.parameters).toEqual(
        expect.objectContaining({ properties: ADD.parameters.properties, required: ['a', 'b'] }),
      );
      const tools = turn.body.messages.filter((m: { role: string }) => m.role === 'tool');
      expect(tools.map((m: { content: string }) => m.content)).toEqual([
        '5',
        JSON.stringify({ error: 'invalid arguments: args.a must be number' }),
        JSON.stringify({ error: 'failed: RangeError: out of range' }),
      ]);
      expect(turn.body.messages.at(-1).content).toBe('The sum is 5.');
      const runs = await runsOf(a, add.id);
      expect(runs[0]).toEqual(
        expect.objectContaining({ caller: `agent:${agent.id}`, agentId: agent.id, status: 'ok' }),
      );
      expect((await runsOf(a, failing.id))[0]).toEqual(
        expect.objectContaining({ status: 'error', error: 'RangeError: out of range' }),
      );
    });
  });

  describe('isolation between organizations', () => {
    it("organization B can neither see, run, change, nor attach organization A's tool", async () => {
      const list = (await http().get('/api/v1/tools').set(as(b)).expect(200)).body.data;
      expect(list).toEqual([]);
      for (const res of [
        await http().get(`/api/v1/tools/${add.id}`).set(as(b)),
        await http()
          .post(`/api/v1/tools/${add.id}/run`)
          .set(as(b))
          .send({ args: { a: 1, b: 2 } }),
        await http().get(`/api/v1/tools/${add.id}/runs`).set(as(b)),
        await http().patch(`/api/v1/tools/${add.id}`).set(as(b)).send({ sourceCode: 'return 666' }),
        await http().delete(`/api/v1/tools/${add.id}`).set(as(b)),
      ]) {
        expect(res.status).toBe(404);
        expectErrorShape(res.body, 404);
      }
      const agentB = (await http().post('/api/v1/agents').set(as(b)).send({ name: 'b-agent' }).expect(201)).body;
      await http().patch(`/api/v1/agents/${agentB.id}/tools/attach/${add.id}`).set(as(b)).expect(404);
      expect(
        (
          await http()
            .post('/api/v1/agents')
            .set(as(b))
            .send({ name: 'thief', toolIds: [add.id] })
            .expect(400)
        ).body.message,
      ).toMatch(/toolIds\[0\]: there is no tool/);
      expect(
        (
          await http()
            .patch(`/api/v1/agents/${agentB.id}`)
            .set(as(b))
            .send({ toolIds: [add.id] })
            .expect(400)
        ).body.message,
      ).toMatch(/toolIds\[0\]/);
      // B may use the same name: names are unique per organization.
      await createTool(b, ADD);
      expect((await http().get(`/api/v1/tools/${add.id}`).set(as(a)).expect(200)).body.sourceCode).toBe(
        'return args.a + args.b',
      );
    });
  });

  describe('on a server with default settings and one sandbox', () => {
    let small: TestApp;
    let owner: Registered;
    beforeAll(async () => {
      small = await startTestApp({ TOOLS_CONCURRENCY: '1', TOOLS_QUEUE_MAX: '1' });
      owner = await register(small, 'Small');
    });
    afterAll(async () => {
      await small?.close();
    });
    const make = async (body: Record<string, unknown>) =>
      (
        await small
          .http()
          .post('/api/v1/tools')
          .set(as(owner))
          .send({ description: 'test', parameters: { type: 'object' }, ...body })
          .expect(201)
      ).body;
    const run = (id: string) => small.http().post(`/api/v1/tools/${id}/run`).set(as(owner)).send({ args: {} });

    it('a run beyond the pool and its queue is a 429 at once, not a wait', async () => {
      // Each run holds the one sandbox 3 s: a third run that waited for a place would take ≥ 3 s.
      const slow = await make({ name: 'slow', sourceCode: 'await new Promise((r) => setTimeout(r, 3000)); return 1' });
      const first = run(slow.id).then((r) => r);
      const pool = small.app.get(SandboxPool);
      await eventually(() => pool.busyPids.length === 1, 10_000, 'the first run started');
      const second = run(slow.id).then((r) => r);
      await eventually(() => pool.load.waiting === 1, 10_000, 'the second run queued');
      const ready = (await small.http().get('/health/ready').expect(200)).body;
      expect(ready.details.tools).toEqual({ status: 'up', sandboxes: 1, running: 1, waiting: 1, queueMax: 1 });
      const started = Date.now();
      const third = await run(slow.id);
      expect(third.status).toBe(429);
      expect(Date.now() - started).toBeLessThan(2000);
      expectErrorShape(third.body, 429);
      expect(third.body.message).toMatch(/TOOLS_QUEUE_MAX/);
      expect((await first).body.status).toBe('ok');
      expect((await second).body.status).toBe('ok');
    });

    it('fetch refuses this machine, private networks and cloud metadata, even when allowed by host', async () => {
      const cases: [string, string][] = [
        [`127.0.0.1:${upstream.port}`, `http://127.0.0.1:${upstream.port}/private`],
        [`localhost:${upstream.port}`, `http://localhost:${upstream.port}/private`],
        ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
        ['[::1]:8080', 'http://[::1]:8080/'],
      ];
      for (const [host, url] of cases) {
        const tool = await make({
          name: `ssrf_${cases.findIndex((c) => c[0] === host)}`,
          sourceCode: `return (await fetch('${url}')).status`,
          allowedHosts: [host],
        });
        const res = (await run(tool.id).expect(200)).body;
        expect(res.status).toBe('error');
        expect(res.error).toMatch(/private address .*TOOLS_FETCH_PRIVATE_NETWORKS/);
      }
      expect(upstream.seen).not.toContain('/private');
    });
  });
});
