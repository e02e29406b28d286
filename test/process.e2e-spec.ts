import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../bench/support.js';
import { onPostgres } from './support/test-app.js';

const root = resolve(import.meta.dirname ?? '.', '..');

/**
 * The compiled server as its own OS process, as `npm start` runs it: the only way to test what
 * happens when it is killed with SIGKILL or stopped with SIGTERM.
 */
(onPostgres ? describe.skip : describe)('the server process', () => {
  let work: string;
  let dataDir: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'agentmem-proc-'));
    dataDir = join(work, 'data');
    // Compile into a scratch directory (never the developer's dist/), resolving packages from the repo.
    await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(work, 'dist')], { cwd: root });
    await symlink(join(root, 'node_modules'), join(work, 'node_modules'));
    await symlink(join(root, 'package.json'), join(work, 'package.json'));
  }, 120_000);
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function start(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(work, 'dist/src/main.js')], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${stderr}`);
      const ok = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
      if (ok) return { child, url };
      if (Date.now() > deadline) throw new Error(`not ready within 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const exitOf = (child: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));

  const post = (url: string, body: unknown, token?: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

  it('keeps every acknowledged write through a SIGKILL, and stops cleanly on SIGTERM', async () => {
    const first = await start();
    const registered = await post(`${first.url}/api/v1/auth/register`, { organizationName: 'Killed', email: 'kill@example.test', password: 'password-1', name: 'K' });
    expect(registered.status).toBe(201);
    const { accessToken } = (await registered.json()) as { accessToken: string };
    // A burst of acknowledged writes, then the process dies without any chance to flush.
    const created: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await post(`${first.url}/api/v1/api-keys`, { name: `k${i}` }, accessToken);
        if (res.status === 201) created.push(((await res.json()) as { id: string }).id);
      }),
    );
    expect(created).toHaveLength(20);
    const killed = exitOf(first.child);
    first.child.kill('SIGKILL');
    expect((await killed).signal).toBe('SIGKILL');

    const second = await start();
    const login = await post(`${second.url}/api/v1/auth/login`, { email: 'kill@example.test', password: 'password-1' });
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const list = (await (await fetch(`${second.url}/api/v1/api-keys?limit=100`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: { id: string }[] };
    expect(list.data.map((k) => k.id).sort()).toEqual([...created].sort());

    const stopped = exitOf(second.child);
    second.child.kill('SIGTERM');
    expect(await stopped).toEqual({ code: 0, signal: null });
  }, 120_000);
});
