/**
 * Realtime and jobs benchmark: one broadcast to 1,000 Socket.IO clients and to 200 SSE clients
 * (REST add → the last client has it), sustained events/s, how soon a started job is visible to
 * a client, and async-add jobs/s — on the embedded default (jobs in-process) and, with
 * REDIS_URL, on BullMQ + Redis pub/sub. `npm run bench:realtime` builds, starts the server as
 * its own process and records bench/results/realtime.json.
 */
import { EventSource } from 'eventsource';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { Api } from './locomo.js';
import { percentile, record, rssMb, runIfMain, startServer } from './support.js';
import type { Figure } from './support.js';

export interface RealtimeBenchOptions {
  sockets: number;
  sse: number;
  rounds: number;
  sustainSeconds: number;
  jobs: number;
  importRows: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function connectSockets(url: string, token: string, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, () =>
      io(url, { path: '/api/v1/ws', transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } }),
    );
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve, reject) => (s.once('connect', () => resolve()), s.once('connect_error', reject))),
      ),
    );
    sockets.push(...batch);
  }
  return sockets;
}

async function connectSse(url: string, token: string, n: number): Promise<EventSource[]> {
  const sources = Array.from(
    { length: n },
    () =>
      new EventSource(`${url}/api/v1/sse`, {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` },
          }),
      }),
  );
  await Promise.all(
    sources.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.onopen = () => resolve();
          s.onerror = (e) => reject(new Error(`SSE: ${String(e.message)}`));
        }),
    ),
  );
  return sources;
}

/** Resolves when every listener has seen an event whose user_id is `userId`; returns when the last did. */
function allReceive(
  sockets: Socket[],
  sources: EventSource[],
  userId: string,
): { sockets: Promise<number>; sse: Promise<number> } {
  const wait = (count: number, subscribe: (done: () => void) => void) =>
    new Promise<number>((resolve) => {
      let left = count;
      if (left === 0) return resolve(performance.now());
      subscribe(() => {
        left -= 1;
        if (left === 0) resolve(performance.now());
      });
    });
  return {
    sockets: wait(sockets.length, (done) => {
      for (const s of sockets) {
        const listener = (e: { user_id?: string }) => {
          if (e.user_id !== userId) return;
          s.off('memory_update', listener);
          done();
        };
        s.on('memory_update', listener);
      }
    }),
    sse: wait(sources.length, (done) => {
      for (const source of sources) {
        const listener = (e: MessageEvent) => {
          if ((JSON.parse(String(e.data)) as { user_id?: string }).user_id !== userId) return;
          source.removeEventListener('memory_update', listener);
          done();
        };
        source.addEventListener('memory_update', listener);
      }
    }),
  };
}

export async function runRealtimeBench(
  api: Api,
  o: RealtimeBenchOptions,
  label: string,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const connectStart = performance.now();
  const sockets = await connectSockets(api.baseUrl, api.token, o.sockets);
  details.socketConnectMs = round1(performance.now() - connectStart);
  const sources = await connectSse(api.baseUrl, api.token, o.sse);
  try {
    // 1. One broadcast: a REST add, then the time until the last socket / SSE client has it.
    const socketMs: number[] = [];
    const sseMs: number[] = [];
    const addMs: number[] = [];
    for (let r = 0; r < o.rounds; r += 1) {
      const userId = `${label}-round-${r}`;
      const received = allReceive(sockets, sources, userId);
      const t0 = performance.now();
      await api.post('/api/v1/memories', { content: `broadcast ${r}`, userId, infer: false });
      addMs.push(performance.now() - t0);
      const [s, e] = await Promise.all([received.sockets, received.sse]);
      socketMs.push(s - t0);
      sseMs.push(e - t0);
    }
    for (const list of [socketMs, sseMs, addMs]) list.sort((a, b) => a - b);
    figures.push(
      {
        name: `${label} broadcast to ${o.sockets} sockets: p50`,
        value: round1(percentile(socketMs, 50)),
        unit: 'ms',
        target: 50,
        higherIsBetter: false,
      },
      { name: `${label} broadcast to ${o.sockets} sockets: p95`, value: round1(percentile(socketMs, 95)), unit: 'ms' },
      { name: `${label} broadcast to ${o.sse} SSE clients: p50`, value: round1(percentile(sseMs, 50)), unit: 'ms' },
      { name: `${label} broadcast to ${o.sse} SSE clients: p95`, value: round1(percentile(sseMs, 95)), unit: 'ms' },
      { name: `${label} (of which the REST add itself): p50`, value: round1(percentile(addMs, 50)), unit: 'ms' },
    );

    // 2. Sustained: batched adds (20 memories, so 20 events, a request) for a while, 100 sockets listening.
    for (const s of sockets.slice(100)) s.disconnect();
    for (const e of sources) e.close();
    const listeners = sockets.slice(0, 100);
    let delivered = 0;
    for (const s of listeners) s.on('memory_update', () => (delivered += 1));
    let published = 0;
    const until = performance.now() + o.sustainSeconds * 1000;
    const sustainStart = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let n = 0; performance.now() < until; n += 1) {
          const messages = Array.from({ length: 20 }, (_, i) => ({
            role: 'user',
            content: `sustained ${label} ${worker} ${n} ${i}`,
          }));
          await api.post('/api/v1/memories', { messages, userId: `${label}-sustain`, infer: false });
          published += 20;
        }
      }),
    );
    const deadline = performance.now() + 10_000;
    while (delivered < published * listeners.length && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - sustainStart) / 1000;
    figures.push(
      {
        name: `${label} sustained events/s (to each of 100 sockets)`,
        value: Math.round(delivered / listeners.length / seconds),
        unit: 'events/s',
      },
      {
        name: `${label} sustained deliveries/s (events × sockets)`,
        value: Math.round(delivered / seconds),
        unit: 'msgs/s',
      },
    );
    details.sustained = {
      published,
      delivered,
      seconds: round1(seconds),
      lost: published * listeners.length - delivered,
    };

    // 3. A started job, seen by a client: POST with async → its first job_progress event.
    const watcher = listeners[0];
    const visibleMs: number[] = [];
    const firstSeen = new Map<string, number>();
    watcher.on('job_progress', (e: { job_id: string }) => {
      if (!firstSeen.has(e.job_id)) firstSeen.set(e.job_id, performance.now());
    });
    for (let i = 0; i < Math.min(o.rounds, 20); i += 1) {
      const t0 = performance.now();
      const { jobId } = await api.post<{ jobId: string }>('/api/v1/memories', {
        content: `job ${label} ${i}`,
        userId: `${label}-jobs`,
        infer: false,
        async: true,
      });
      const giveUp = performance.now() + 10_000;
      while (!firstSeen.has(jobId) && performance.now() < giveUp) await new Promise((r) => setImmediate(r));
      visibleMs.push((firstSeen.get(jobId) ?? Number.NaN) - t0);
    }
    visibleMs.sort((a, b) => a - b);
    figures.push({
      name: `${label} started job visible to a client: p50`,
      value: round1(percentile(visibleMs, 50)),
      unit: 'ms',
      target: 100,
      higherIsBetter: false,
    });
    figures.push({
      name: `${label} started job visible to a client: p95`,
      value: round1(percentile(visibleMs, 95)),
      unit: 'ms',
    });

    // 4. Job throughput: many async adds, from the first POST to the last completion event.
    // Only this step's jobs count: a job of step 3 (or of another client) may complete meanwhile.
    const mine = new Set<string>();
    const doneIds = new Set<string>();
    let completed = 0;
    let markDone: (t: number) => void = () => undefined;
    const allDone = new Promise<number>((resolve) => (markDone = resolve));
    const count = (id: string): void => {
      if (mine.has(id) && doneIds.has(id) && ++completed === o.jobs) markDone(performance.now());
    };
    watcher.on('job_progress', (e: { state: string; queue: string; job_id: string }) => {
      if (e.queue !== 'memory-ingest' || e.state !== 'completed' || doneIds.has(e.job_id)) return;
      doneIds.add(e.job_id);
      count(e.job_id);
    });
    const jobsStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < o.jobs) {
          const i = next++;
          const { jobId } = await api.post<{ jobId: string }>('/api/v1/memories', {
            content: `throughput ${label} ${i}`,
            userId: `${label}-throughput`,
            infer: false,
            async: true,
          });
          mine.add(jobId);
          count(jobId);
        }
      }),
    );
    const enqueueSeconds = (performance.now() - jobsStart) / 1000;
    let giveUpTimer: NodeJS.Timeout | undefined;
    const doneAt = await Promise.race([
      allDone,
      new Promise<number>((r) => (giveUpTimer = setTimeout(() => r(performance.now()), 60_000))),
    ]);
    clearTimeout(giveUpTimer);
    const jobSeconds = (doneAt - jobsStart) / 1000;
    figures.push({
      name: `${label} async adds: jobs/s (HTTP enqueue → completed)`,
      value: Math.round(completed / jobSeconds),
      unit: 'jobs/s',
    });
    details.jobs = { enqueued: o.jobs, completed, enqueueSeconds: round1(enqueueSeconds), seconds: round1(jobSeconds) };

    // 5. An import job: JSON Lines over HTTP → the job's completion event (DESIGN: ≥ 2,000 adds/s in batches).
    const lines = Array.from({ length: o.importRows }, (_, i) =>
      JSON.stringify({
        content: `imported ${label} fact ${i} on topic ${i % 101}`,
        userId: `${label}-import-${i % 10}`,
      }),
    ).join('\n');
    const importStart = performance.now();
    const res = await fetch(`${api.baseUrl}/api/v1/memories/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/x-ndjson' },
      body: lines,
    });
    if (res.status !== 202) throw new Error(`import: ${res.status} ${await res.text()}`);
    const { jobId } = (await res.json()) as { jobId: string };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('import did not finish within 5 minutes')), 300_000);
      watcher.on('job_progress', (e: { job_id: string; state: string }) => {
        if (e.job_id === jobId && (e.state === 'completed' || e.state === 'failed')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const importSeconds = (performance.now() - importStart) / 1000;
    figures.push({
      name: `${label} import of ${o.importRows} lines: rows/s`,
      value: Math.round(o.importRows / importSeconds),
      unit: 'rows/s',
      target: 2000,
      higherIsBetter: true,
    });
  } finally {
    for (const s of sockets) s.disconnect();
    for (const e of sources) e.close();
  }
  return { figures, details };
}

runIfMain(import.meta.url, async () => {
  const options: RealtimeBenchOptions = {
    sockets: Number(process.env.BENCH_SOCKETS ?? 1000),
    sse: Number(process.env.BENCH_SSE ?? 200),
    rounds: Number(process.env.BENCH_ROUNDS ?? 30),
    sustainSeconds: Number(process.env.BENCH_SECONDS ?? 10),
    jobs: Number(process.env.BENCH_JOBS ?? 2000),
    importRows: Number(process.env.BENCH_IMPORT_ROWS ?? 20000),
  };
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const modes: [string, Record<string, string>][] = [
    ['embedded', {}],
    ...(process.env.REDIS_URL
      ? [
          ['redis', { REDIS_URL: process.env.REDIS_URL, QUEUE_PREFIX: `bench-${Date.now()}` }] as [
            string,
            Record<string, string>,
          ],
        ]
      : []),
  ];
  for (const [label, env] of modes) {
    const server = await startServer(env);
    try {
      const api = await Api.register(server.url);
      const run = await runRealtimeBench(api, options, label);
      figures.push(...run.figures, {
        name: `${label} server RSS after the run`,
        value: await rssMb(server.pid),
        unit: 'MB',
      });
      details[label] = run.details;
    } finally {
      await server.stop();
    }
  }
  await record('realtime', figures, { options, details });
});
