import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port.js';
import { importLines } from './support/import-lines.js';
import { compileServer, exitOf } from './support/compiled-server.js';
import type { CompiledServer } from './support/compiled-server.js';
import { onPostgres } from './support/test-app.js';

/**
 * The compiled server as its own OS process, as `npm start` runs it: the only way to test what
 * happens when it is killed with SIGKILL or stopped with SIGTERM.
 */
(onPostgres ? describe.skip : describe)('the server process', () => {
  let server: CompiledServer;
  let dataDir: string;

  beforeAll(async () => {
    server = await compileServer();
    dataDir = await mkdtemp(join(tmpdir(), 'agentmem-proc-data-'));
  }, 120_000);
  afterAll(async () => {
    await server?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort();
    const { child, stderr: errors } = server.spawn('main', {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${errors()}`);
      const ok = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { child, url };
      if (Date.now() > deadline) throw new Error(`not ready within 60 s: ${errors()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const post = (url: string, body: unknown, token?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('stops cleanly on a SIGTERM that comes while it is still starting', async () => {
    const boot = await mkdtemp(join(tmpdir(), 'agentmem-proc-boot-'));
    try {
      const { child, stdout, stderr } = server.spawn('main', {
        DATA_DIR: boot,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      });
      const exited = exitOf(child);
      // The embedder is the first thing the start makes; the database and the jobs come after it.
      const deadline = Date.now() + 60_000;
      while (!stdout().includes('embedder:')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no start seen: ${stderr()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      await rm(boot, { recursive: true, force: true });
    }
  });

  it('keeps every acknowledged write through a SIGKILL, and stops cleanly on SIGTERM', async () => {
    const first = await start();
    const registered = await post(`${first.url}/api/v1/auth/register`, {
      organizationName: 'Killed',
      email: 'kill@example.test',
      password: 'password-1',
      name: 'K',
    });
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
    const list = (await (
      await fetch(`${second.url}/api/v1/api-keys?limit=100`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { data: { id: string }[] };
    expect(list.data.map((k) => k.id).sort()).toEqual([...created].sort());

    const stopped = exitOf(second.child);
    second.child.kill('SIGTERM');
    expect(await stopped).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('keeps every acknowledged add through a SIGKILL in the middle of concurrent adds (group commit)', async () => {
    const first = await start();
    const registered = await post(`${first.url}/api/v1/auth/register`, {
      organizationName: 'Adder',
      email: 'adder@example.test',
      password: 'password-1',
      name: 'A',
    });
    const { accessToken } = (await registered.json()) as { accessToken: string };
    // Ten clients adding one by one, so that adds share statements; killed mid-load.
    const acknowledged: string[] = [];
    let next = 0;
    const clients = Array.from({ length: 10 }, async () => {
      for (let i = next++; i < 100_000; i = next++) {
        const res = await post(
          `${first.url}/api/v1/memories`,
          { content: `fact number ${i}`, userId: `user-${i % 3}`, infer: false },
          accessToken,
        ).catch(() => null);
        if (!res) return; // the process is gone
        if (res.status !== 201) return;
        acknowledged.push(((await res.json()) as { results: { id: string }[] }).results[0].id);
      }
    });
    while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 10));
    const killed = exitOf(first.child);
    first.child.kill('SIGKILL');
    await killed;
    await Promise.all(clients);

    const second = await start();
    const login = await post(`${second.url}/api/v1/auth/login`, {
      email: 'adder@example.test',
      password: 'password-1',
    });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const stored = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = (await (
        await fetch(`${second.url}/api/v1/memories?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as {
        data: { id: string }[];
        nextCursor: string | null;
      };
      for (const m of page.data) stored.add(m.id);
      cursor = page.nextCursor;
    } while (cursor);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    const stopped = exitOf(second.child);
    second.child.kill('SIGTERM');
    expect(await stopped).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('finishes an import acknowledged with 202 after a SIGKILL mid-import, storing every row once', async () => {
    const first = await start();
    const registered = await post(`${first.url}/api/v1/auth/register`, {
      organizationName: 'Importer',
      email: 'import@example.test',
      password: 'password-1',
      name: 'I',
    });
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const accepted = await fetch(`${first.url}/api/v1/memories/import`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      body: importLines(20_000),
    });
    expect(accepted.status).toBe(202);
    const { jobId } = (await accepted.json()) as { jobId: string };
    const jobOf = async (url: string) =>
      (await (await fetch(`${url}/api/v1/jobs/${jobId}`, { headers: auth })).json()) as {
        state: string;
        progress: number;
        result?: unknown;
      };
    // Kill it once the job is under way, but well before the end.
    for (;;) {
      const job = await jobOf(first.url);
      expect(job.state).not.toBe('completed');
      if (job.progress >= 10) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const killed = exitOf(first.child);
    first.child.kill('SIGKILL');
    await killed;

    const second = await start();
    let job = await jobOf(second.url);
    const deadline = Date.now() + 90_000;
    while (job.state !== 'completed' && Date.now() < deadline) {
      expect(job.state).not.toBe('failed');
      await new Promise((r) => setTimeout(r, 200));
      job = await jobOf(second.url);
    }
    expect(job.state).toBe('completed');
    expect(job.result).toEqual(expect.objectContaining({ rows: 20_000 }));
    let total = 0;
    let cursor: string | null = null;
    do {
      const page = (await (
        await fetch(`${second.url}/api/v1/memories?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth })
      ).json()) as { data: unknown[]; nextCursor: string | null };
      total += page.data.length;
      cursor = page.nextCursor;
    } while (cursor);
    expect(total).toBe(20_000);
    const stopped = exitOf(second.child);
    second.child.kill('SIGTERM');
    expect(await stopped).toEqual({ code: 0, signal: null });
  }, 240_000);
});
