import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp } from './support/test-app.js';
import type { TestApp } from './support/test-app.js';

const run = promisify(execFile);

type Operation = { security?: unknown[]; summary?: string };

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentmem-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(doc));
      // Exits non-zero on errors; the JSON report counts both.
      const { stdout } = await run(
        process.execPath,
        ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--format=json'],
        { maxBuffer: 16 * 1024 * 1024 },
      ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; message: string }[];
      };
      expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('declares no security only for operations that answer without a credential', async () => {
    const open: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation.security?.length !== 0) continue;
        open.push(`${method.toUpperCase()} ${path}`);
        const res = await t.http()[method as 'get' | 'post'](path).send({});
        expect({ path, status: res.status }).not.toEqual({ path, status: 401 });
      }
    }
    expect(open.sort()).toEqual([
      'GET /health/live',
      'GET /health/ready',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/logout',
      'POST /api/v1/auth/refresh',
      'POST /api/v1/auth/register',
    ]);
  });
});
