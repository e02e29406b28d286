/**
 * What the drop-in APIs cost beside the native one: the same adds and searches through Mem0's
 * official client (`mem0ai` MemoryClient), through the MCP SDK's client (`/mcp`) and through
 * `/api/v1` with plain fetch, against one server (the compiled server in its own process, on the
 * embedded default), LoCoMo texts, in one run so that the ratios hold on a noisy machine.
 * `npm run bench:compat`; BENCH_ADDS (default 600 per client count and path), BENCH_MEMORIES
 * (default 10000, filled by an import), BENCH_SEARCHES (default 200 per path).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readFile } from 'node:fs/promises';
import { loadConversations, turnText } from './locomo.js';
import { pool } from './memory.js';
import { percentile, record, rssMb, runIfMain, startServer } from './support.js';
import type { Figure } from './support.js';

// mem0ai reads MEM0_TELEMETRY when it loads; the benchmark must not call Mem0's telemetry host.
process.env.MEM0_TELEMETRY = 'false';
const { MemoryClient } = await import('mem0ai');

const USERS = 10;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export interface CompatBenchOptions {
  adds: number;
  memories: number;
  searches: number;
}

/** The three ways in: each adds a text for a user and searches a user's memories. */
interface Path {
  name: 'native' | 'mem0' | 'mcp';
  add(userId: string, text: string): Promise<void>;
  search(userId: string, query: string): Promise<number>;
  close(): Promise<void>;
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text}`);
  return JSON.parse(text) as T;
}

function nativePath(url: string, key: string): Path {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  return {
    name: 'native',
    add: async (userId, content) => {
      await json(
        await fetch(`${url}/api/v1/memories`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ content, userId, infer: false }),
        }),
      );
    },
    search: async (userId, query) =>
      (
        await json<{ results: unknown[] }>(
          await fetch(`${url}/api/v1/memories/search`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ query, userId }),
          }),
        )
      ).results.length,
    close: async () => undefined,
  };
}

function mem0Path(url: string, key: string): Path {
  const client = new MemoryClient({ apiKey: key, host: url });
  return {
    name: 'mem0',
    add: async (userId, content) => {
      await client.add([{ role: 'user', content }], { userId, infer: false });
    },
    search: async (userId, query) => (await client.search(query, { filters: { user_id: userId } })).results.length,
    close: async () => undefined,
  };
}

async function mcpPath(url: string, key: string): Promise<Path> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent as { results?: unknown[] } | undefined;
  };
  return {
    name: 'mcp',
    add: async (userId, content) => {
      await call('add_memory', { content, userId, infer: false });
    },
    search: async (userId, query) => (await call('search_memory', { query, userId }))?.results?.length ?? 0,
    close: () => client.close(),
  };
}

/** CPU time a process has used, user and system, all threads (Linux /proc; clock ticks of 10 ms). */
async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Stores `total` texts spread over the users through an import job, and waits for it. */
async function fill(url: string, key: string, texts: string[], total: number): Promise<void> {
  const lines = Array.from({ length: total }, (_, i) =>
    JSON.stringify({ content: `${texts[i % texts.length]} (${i})`, userId: `user-${i % USERS}` }),
  ).join('\n');
  const { jobId } = await json<{ jobId: string }>(
    await fetch(`${url}/api/v1/memories/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}` },
      body: lines,
    }),
  );
  for (;;) {
    const job = await json<{ state: string; error?: string }>(
      await fetch(`${url}/api/v1/jobs/${jobId}`, { headers: { authorization: `Bearer ${key}` } }),
    );
    if (job.state === 'completed') return;
    if (job.state === 'failed') throw new Error(`import failed: ${job.error}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The figures: adds/s with one client and with ten, and search p50/p95 at `memories`, per path,
 * and each drop-in's ratio to the native API. Target (ours, no peer serves these clients
 * self-hosted): a drop-in keeps ≥ 90 % of the native throughput and ≤ 110 % of its p95.
 */
export async function runCompatBench(
  url: string,
  key: string,
  options: CompatBenchOptions,
  serverPid?: number,
): Promise<Figure[]> {
  const conversations = await loadConversations();
  const texts = conversations.flatMap((c) => c.sessions.flatMap((s) => s.turns.map(turnText)));
  const questions = conversations.flatMap((c) => c.questions.map((q) => q.question));
  const paths = [nativePath(url, key), mem0Path(url, key), await mcpPath(url, key)];
  const figures: Figure[] = [];
  const addRates: Record<string, number[]> = {};
  let next = 0;
  for (const clients of [1, 10]) {
    // Each path twice, in the order A B C C B A, so that a table growing or a machine slowing
    // down weighs on each path alike; a path's rate is its adds over its time in both rounds.
    const seconds: Record<string, number> = {};
    const serverCpu: Record<string, number> = {};
    for (const path of [...paths, ...[...paths].reverse()]) {
      const cpuBefore = serverPid ? await cpuMs(serverPid) : 0;
      const run = await pool(Math.ceil(options.adds / 2), clients, async () => {
        const i = next++;
        await path.add(`adder-${i % USERS}`, `${texts[i % texts.length]} #${i}`);
      });
      seconds[path.name] = (seconds[path.name] ?? 0) + run.seconds;
      if (serverPid) serverCpu[path.name] = (serverCpu[path.name] ?? 0) + (await cpuMs(serverPid)) - cpuBefore;
    }
    if (serverPid && clients === 10) {
      // The server's own CPU per add (all its threads): what a path costs the server, apart from
      // the client's share of the two cores the benchmark runs on.
      const adds = 2 * Math.ceil(options.adds / 2);
      for (const path of paths)
        figures.push({
          name: `${path.name} server CPU per add`,
          value: round(serverCpu[path.name] / adds),
          unit: 'ms',
        });
      for (const path of paths.slice(1))
        figures.push({
          name: `${path.name}/native server CPU per add`,
          value: round(serverCpu[path.name] / serverCpu.native),
          unit: '×',
          target: 1.1,
          higherIsBetter: false,
        });
    }
    for (const path of paths) {
      const rate = round((2 * Math.ceil(options.adds / 2)) / seconds[path.name], 1);
      (addRates[path.name] ??= []).push(rate);
      figures.push({
        name: `${path.name} adds, ${clients} client${clients > 1 ? 's' : ''}`,
        value: rate,
        unit: 'adds/s',
      });
    }
  }
  for (const path of paths.slice(1)) {
    addRates[path.name].forEach((rate, i) =>
      figures.push({
        name: `${path.name}/native adds, ${i === 0 ? '1 client' : '10 clients'}`,
        value: round(rate / addRates.native[i]),
        unit: '×',
        target: 0.9,
      }),
    );
  }

  await fill(url, key, texts, options.memories);
  // Warm-up: each user's scope is read into the search index on its first search.
  for (let u = 0; u < USERS; u++) await paths[0].search(`user-${u}`, questions[u % questions.length]);
  await new Promise((r) => setTimeout(r, 3000));
  const latencies: Record<string, number[]> = { native: [], mem0: [], mcp: [] };
  let found = 0;
  for (let i = 0; i < options.searches; i++) {
    // The same question through each path in turn, so that drift hits them alike.
    for (const path of paths) {
      const t0 = performance.now();
      found += await path.search(`user-${i % USERS}`, questions[i % questions.length]);
      latencies[path.name].push(performance.now() - t0);
    }
  }
  if (found === 0) throw new Error('no search found anything');
  const p95: Record<string, number> = {};
  for (const path of paths) {
    const sorted = latencies[path.name].sort((a, b) => a - b);
    p95[path.name] = percentile(sorted, 95);
    figures.push(
      { name: `${path.name} search p50 at ${options.memories}`, value: round(percentile(sorted, 50)), unit: 'ms' },
      { name: `${path.name} search p95 at ${options.memories}`, value: round(p95[path.name]), unit: 'ms' },
    );
  }
  for (const path of paths.slice(1)) {
    figures.push({
      name: `${path.name}/native search p95`,
      value: round(p95[path.name] / p95.native),
      unit: '×',
      target: 1.1,
      higherIsBetter: false,
    });
  }
  for (const path of paths) await path.close();
  return figures;
}

async function main(): Promise<void> {
  const options: CompatBenchOptions = {
    adds: Number(process.env.BENCH_ADDS ?? 600),
    memories: Number(process.env.BENCH_MEMORIES ?? 10000),
    searches: Number(process.env.BENCH_SEARCHES ?? 200),
  };
  const server = await startServer();
  try {
    const register = await json<{ accessToken: string }>(
      await fetch(`${server.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          organizationName: 'Compat',
          email: `compat-${Date.now()}@example.test`,
          password: 'bench-password',
          name: 'Bench',
        }),
      }),
    );
    const { key } = await json<{ key: string }>(
      await fetch(`${server.url}/api/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${register.accessToken}` },
        body: JSON.stringify({ name: 'bench' }),
      }),
    );
    const figures = await runCompatBench(server.url, key, options, server.pid);
    figures.push({ name: 'server RSS after the run', value: await rssMb(server.pid), unit: 'MB' });
    await record(process.env.BENCH_RESULT ?? 'compat', figures, { options });
  } finally {
    await server.stop();
  }
}

runIfMain(import.meta.url, main);
