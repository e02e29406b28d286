import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { compileServer, exitOf } from './support/compiled-server.js';
import type { CompiledServer } from './support/compiled-server.js';
import { FailoverSocket } from './support/failover-socket.js';
import { freePort } from './support/free-port.js';
import { OwnRedis, redisServerAvailable } from './support/own-redis.js';
import { eventually } from './support/realtime-clients.js';
import { freshStorage, onPostgres, TEST_JWT_SECRET } from './support/test-app.js';
import type { Storage } from './support/test-app.js';

const wanted = onPostgres && Boolean(process.env.REDIS_URL);
const canRun = wanted && redisServerAvailable();

type Phase = 'steady' | 'killed' | 'draining' | 'redis-down' | 'redis-back';
type Kind = 'sync-add' | 'async-add' | 'search' | 'list';

interface Outcome {
  kind: Kind;
  api: string;
  phase: Phase;
  /** HTTP status; 0 when the connection failed (the process was killed under it). */
  status: number;
  /** When it was sent (epoch ms), and how long it took. */
  startedAt: number;
  ms: number;
  marker?: string;
  memoryId?: string;
  jobId?: string;
  code?: string;
}

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
}

/**
 * Chaos in the production shape: two API processes and a worker on PostgreSQL and a Redis of the
 * test's own, under a steady mix of sync adds, async adds (queued, stored by the worker),
 * searches and lists over both APIs, with a Socket.IO client on each API. One API and the
 * worker are killed with SIGKILL mid-load, the worker is started again, then Redis is killed
 * and started again on the same port. Runs where PostgreSQL and Redis run (the e2e-postgres
 * project with REDIS_URL, and `redis-server` on PATH); the machine's shared Redis is never
 * touched: its presence is only the signal that this is such a machine.
 */
(canRun ? describe : describe.skip)('chaos: processes and Redis killed under load', () => {
  let server: CompiledServer;
  let storage: Storage;
  let redis: OwnRedis;
  const procs: Proc[] = [];
  const sockets: FailoverSocket[] = [];

  beforeAll(async () => {
    [server, storage, redis] = await Promise.all([compileServer(), freshStorage(), OwnRedis.start()]);
  }, 180_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all(
      procs.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = exitOf(child);
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await redis?.stop();
    await storage?.drop();
    await server?.remove();
  });

  it('keeps every acknowledged write exactly once, fails sockets over, completes jobs and answers REST while Redis is down', async () => {
    const prefix = `chaos-${randomBytes(4).toString('hex')}`;
    const shared = {
      DATABASE_URL: storage.location,
      JWT_SECRET: TEST_JWT_SECRET,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      DATABASE_POOL_SIZE: '4',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      // A killed worker's job is taken over after 2 s without a lock renewal.
      JOBS_LOCK_MS: '2000',
    };
    const track = (p: Proc) => (procs.push(p), p);
    const startApi = async () => {
      const port = await freePort();
      const p = track(
        server.spawn('main', {
          ...shared,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          JOBS_IN_PROCESS: 'false',
        }),
      );
      const url = `http://127.0.0.1:${port}`;
      await eventually(
        async () => {
          if (p.child.exitCode !== null) throw new Error(`API exited (${p.child.exitCode}): ${p.stderr()}`);
          return fetch(`${url}/health/ready`).then(
            (r) => r.ok,
            () => false,
          );
        },
        60_000,
        `API on ${url} ready`,
      );
      return { ...p, url };
    };
    const startWorker = async () => {
      const p = track(server.spawn('worker', { ...shared, LOG_LEVEL: 'info' }));
      await eventually(
        () => {
          if (p.child.exitCode !== null) throw new Error(`worker exited (${p.child.exitCode}): ${p.stderr()}`);
          return p.stdout().includes('worker running');
        },
        60_000,
        'worker running',
      );
      return p;
    };

    const t0 = Date.now();
    const mark = (what: string) => process.stdout.write(`chaos +${Date.now() - t0} ms: ${what}\n`);
    // The first API makes the schema; the second and the worker start beside each other after it.
    const a = await startApi();
    const [b, firstWorker] = await Promise.all([startApi(), startWorker()]);
    mark('two APIs and a worker started');

    const post = (url: string, path: string, body: unknown, token?: string) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    const registered = await post(a.url, '/api/v1/auth/register', {
      organizationName: 'Chaos',
      email: `chaos-${prefix}@example.test`,
      password: 'password-chaos',
      name: 'C',
    });
    expect(registered.status).toBe(201);
    const { accessToken: token, organization } = (await registered.json()) as {
      accessToken: string;
      organization: { id: string };
    };
    const auth = { authorization: `Bearer ${token}` };

    // A Socket.IO client on each API, each knowing both URLs (its own first).
    const onA = new FailoverSocket([a.url, b.url], token, ['memory_update']);
    const onB = new FailoverSocket([b.url, a.url], token, ['memory_update']);
    sockets.push(onA, onB);
    await Promise.all([onA.start(), onB.start()]);
    expect([onA.url, onB.url]).toEqual([a.url, b.url]);

    // The load: clients taking turns over the live APIs, each marker unique to one request.
    let phase: Phase = 'steady';
    let live = [a.url, b.url];
    let queueing = true;
    let running = true;
    const outcomes: Outcome[] = [];
    let seq = 0;
    let asyncInFlight = 0;
    const inFlightOn = new Map<string, number>();
    const client = async (id: number) => {
      for (let turn = 0; running; turn++) {
        const api = live[(id + turn) % live.length];
        const step = (id + turn) % 10;
        const kind: Kind =
          step < 4 ? 'sync-add' : step < 6 ? (queueing ? 'async-add' : 'sync-add') : step < 9 ? 'search' : 'list';
        const marker = `${prefix} ${kind} ${++seq}`;
        const started = Date.now();
        const outcome: Outcome = { kind, api, phase, status: 0, startedAt: started, ms: 0 };
        if (kind === 'async-add') asyncInFlight++;
        inFlightOn.set(api, (inFlightOn.get(api) ?? 0) + 1);
        try {
          let res: Response;
          if (kind === 'sync-add' || kind === 'async-add') {
            outcome.marker = marker;
            res = await post(
              api,
              '/api/v1/memories',
              { content: marker, userId: `u${id % 3}`, infer: false, ...(kind === 'async-add' ? { async: true } : {}) },
              token,
            );
          } else if (kind === 'search') {
            res = await post(
              api,
              '/api/v1/memories/search',
              { query: `${prefix} sync-add`, userId: `u${id % 3}` },
              token,
            );
          } else {
            res = await fetch(`${api}/api/v1/memories?userId=u${id % 3}&limit=20`, {
              headers: auth,
              signal: AbortSignal.timeout(15_000),
            });
          }
          outcome.status = res.status;
          const body = (await res.json().catch(() => ({}))) as {
            results?: { id: string }[];
            jobId?: string;
            code?: string;
          };
          outcome.memoryId = res.status === 201 ? body.results?.[0]?.id : undefined;
          outcome.jobId = res.status === 202 ? body.jobId : undefined;
          outcome.code = body.code;
        } catch {
          // The API was killed under the request: not acknowledged.
        }
        outcome.ms = Date.now() - started;
        if (kind === 'async-add') asyncInFlight--;
        inFlightOn.set(api, inFlightOn.get(api)! - 1);
        outcomes.push(outcome);
        // A steady pace (under 10 requests/s a client) rather than all the machine can do: the
        // worker and the APIs share these cores with the clients, and must keep up.
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const clients = Array.from({ length: 4 }, (_, i) => client(i));
    const count = (pred: (o: Outcome) => boolean) => outcomes.filter(pred).length;
    const ok = (o: Outcome) => o.status >= 200 && o.status < 300;
    const jobState = async (url: string, jobId: string) => {
      const res = await fetch(`${url}/api/v1/jobs/${jobId}`, { headers: auth, signal: AbortSignal.timeout(10_000) });
      return res.ok ? ((await res.json()) as { state: string; result: { results: { id: string }[] } | null }) : null;
    };
    const completedJobs = new Map<string, string>(); // jobId → the memory id its result names
    const awaitJobs = async (url: string, jobIds: string[], timeoutMs: number, what: string) => {
      await eventually(
        async () => {
          // Ten at a time, oldest first, until one of ten is still to run (jobs run about in order).
          const pending = jobIds.filter((j) => !completedJobs.has(j));
          for (let i = 0; i < pending.length; i += 10) {
            const batch = pending.slice(i, i + 10);
            const states = await Promise.all(batch.map((jobId) => jobState(url, jobId)));
            states.forEach((job, k) => {
              if (job?.state === 'failed') throw new Error(`job ${batch[k]} failed`);
              if (job?.state === 'completed') completedJobs.set(batch[k], job.result!.results[0].id);
            });
            if (states.some((job) => job?.state !== 'completed')) break;
          }
          return jobIds.every((j) => completedJobs.has(j));
        },
        timeoutMs,
        what,
      );
    };
    const ackedJobs = () => outcomes.filter((o) => o.kind === 'async-add' && o.status === 202).map((o) => o.jobId!);
    /** A sync add through `url` whose memory_update every socket client must receive. */
    const heardEverywhere = async (url: string, what: string, timeoutMs = 10_000) => {
      const res = await post(
        url,
        '/api/v1/memories',
        { content: `${prefix} ${what}`, userId: 'probe', infer: false },
        token,
      );
      expect(res.status).toBe(201);
      const memoryId = ((await res.json()) as { results: { id: string }[] }).results[0].id;
      await Promise.all(
        [onA, onB].map((s) => s.next((e) => e.data.memory_id === memoryId, timeoutMs, `event of the add ${what}`)),
      );
    };

    try {
      // 1. Steady state: writes acknowledged on both APIs, jobs done by the worker, both sockets hearing.
      await eventually(
        () =>
          count((o) => o.kind === 'sync-add' && o.status === 201 && o.api === a.url) >= 10 &&
          count((o) => o.kind === 'sync-add' && o.status === 201 && o.api === b.url) >= 10 &&
          ackedJobs().length >= 8,
        30_000,
        'steady load',
      );
      await awaitJobs(b.url, ackedJobs().slice(0, 4), 20_000, 'first jobs completed by the worker');
      await Promise.all([onA, onB].map((s) => s.next(() => true, 10_000, 'first event')));

      mark('steady load');
      // 2. SIGKILL of API A and of the worker, mid-load: at a moment when A has requests in flight.
      await eventually(() => (inFlightOn.get(a.url) ?? 0) > 0, 10_000, 'a request in flight on A');
      const killedA = exitOf(a.child);
      const killedWorker = exitOf(firstWorker.child);
      a.child.kill('SIGKILL');
      firstWorker.child.kill('SIGKILL');
      phase = 'killed';
      live = [b.url];
      expect((await killedA).signal).toBe('SIGKILL');
      expect((await killedWorker).signal).toBe('SIGKILL');
      mark('API A and the worker killed');
      // Restarted at once (as an orchestrator would), while the sockets fail over.
      const secondWorker = startWorker();
      secondWorker.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

      // A's socket client is now on B, and hears what happens after the kill.
      await onA.connectedTo(b.url, 10_000);
      await heardEverywhere(b.url, 'after the kill');

      // 3. The worker again: every job acknowledged so far completes (the killed worker's too).
      await secondWorker;
      mark('worker restarted');
      await eventually(
        () => count((o) => o.phase === 'killed' && o.kind === 'async-add' && o.status === 202) >= 3,
        20_000,
        'async adds queued after the kill',
      );
      await awaitJobs(b.url, ackedJobs(), 60_000, 'jobs acknowledged before and after the kills completed');

      mark('jobs acknowledged so far completed');
      // 4. Redis is restarted. It keeps nothing on disk here, so jobs still queued would go with
      // it: the clients stop queueing and the queue drains first (a production Redis keeps its
      // queue with appendonly yes).
      phase = 'draining';
      queueing = false;
      await eventually(() => asyncInFlight === 0, 20_000, 'last async adds answered');
      await awaitJobs(b.url, ackedJobs(), 30_000, 'queue drained before the Redis stop');

      mark('queue drained');
      await redis.stop();
      phase = 'redis-down';
      // Clients go on as before, async adds included: those are refused (503) or, if Redis is
      // back within the API's queue timeout, queued in the new Redis.
      queueing = true;
      const downSince = Date.now();
      await eventually(
        () =>
          Date.now() - downSince >= 3000 &&
          count((o) => o.phase === 'redis-down' && o.kind === 'sync-add') >= 10 &&
          count((o) => o.phase === 'redis-down' && o.kind === 'search') >= 10 &&
          count((o) => o.phase === 'redis-down' && o.kind === 'list') >= 3,
        30_000,
        'REST traffic while Redis is down',
      );
      mark('REST traffic seen while Redis was down');
      await redis.start();
      phase = 'redis-back';

      mark('Redis up again');
      // Events and jobs flow again through the restarted Redis. Redis pub/sub keeps nothing: an
      // event published before the API's subscription is renewed (ioredis reconnects each
      // client on its own backoff) reaches no one, so the probe is repeated until one is heard.
      let probes = 0;
      await eventually(
        async () => {
          probes++;
          return heardEverywhere(b.url, `after the Redis restart (probe ${probes})`, 1000).then(
            () => true,
            () => false,
          );
        },
        15_000,
        'events heard again after the Redis restart',
      );
      mark(`events heard again after ${probes} probe(s)`);
      await eventually(
        () => count((o) => o.phase === 'redis-back' && o.kind === 'async-add' && o.status === 202) >= 3,
        20_000,
        'async adds queued after the Redis restart',
      );
    } finally {
      running = false;
      await Promise.all(clients);
    }
    await awaitJobs(b.url, ackedJobs(), 30_000, 'jobs queued while Redis was down or after its restart completed');

    // REST answered while Redis was down: every read and sync add on the live API was a 2xx.
    const whileDown = outcomes.filter((o) => o.phase === 'redis-down' && o.kind !== 'async-add');
    expect(whileDown.filter((o) => !ok(o))).toEqual([]);
    // Every failure at all is either a request cut by the kill of A, or an async add refused
    // (503, the queue not answering) while Redis was down, or after its restart but before that
    // API's queue connection was back (ioredis reconnects on its own backoff): sent before the
    // first async add the API accepted again.
    const failures = outcomes.filter((o) => !ok(o));
    const acceptedAgainAt = (api: string) =>
      Math.min(
        ...outcomes
          .filter((o) => o.api === api && o.phase === 'redis-back' && o.kind === 'async-add' && o.status === 202)
          .map((o) => o.startedAt + o.ms),
      );
    const refusedWhileUnreachable = (o: Outcome) =>
      o.kind === 'async-add' &&
      o.status === 503 &&
      o.code === 'QUEUE_UNAVAILABLE' &&
      (o.phase === 'redis-down' || (o.phase === 'redis-back' && o.startedAt < acceptedAgainAt(o.api)));
    const explained = (o: Outcome) =>
      (o.status === 0 && o.api === a.url && o.phase === 'steady') || refusedWhileUnreachable(o);
    expect(failures.filter((o) => !explained(o))).toEqual([]);

    // Every acknowledged write is stored exactly once, under the id it was acknowledged with.
    const db = new pg.Client({ connectionString: storage.location });
    await db.connect();
    try {
      const rows = (
        await db.query<{ content: string; n: number; ids: string[] }>(
          `SELECT content, count(*)::int AS n, array_agg(id::text) AS ids FROM memories
            WHERE organization_id = $1 AND content LIKE $2 GROUP BY content`,
          [organization.id, `${prefix} %`],
        )
      ).rows;
      const stored = new Map(rows.map((r) => [r.content, r]));
      expect(rows.filter((r) => r.n !== 1)).toEqual([]);
      // An async add refused at once while Redis was down is not stored later either (the API
      // does not leave it waiting in its Redis client's offline queue). One refused only after
      // the queue's 5-s timeout may still have run: its caller cannot know.
      const refusedAtOnce = failures.filter((o) => o.kind === 'async-add' && o.status === 503 && o.ms < 4000);
      expect(refusedAtOnce.length).toBeGreaterThan(0);
      expect(refusedAtOnce.filter((o) => stored.has(o.marker!))).toEqual([]);
      const syncAcked = outcomes.filter((o) => o.kind === 'sync-add' && o.status === 201);
      const asyncAcked = outcomes.filter((o) => o.kind === 'async-add' && o.status === 202);
      expect(syncAcked.filter((o) => stored.get(o.marker!)?.ids[0] !== o.memoryId)).toEqual([]);
      expect(asyncAcked.filter((o) => stored.get(o.marker!)?.ids[0] !== completedJobs.get(o.jobId!))).toEqual([]);
      // What the run did, for the log of a failure or a slow CI machine.
      const byPhase = (p: Phase) => outcomes.filter((o) => o.phase === p).length;
      process.stdout.write(
        `chaos: ${outcomes.length} requests (steady ${byPhase('steady')}, after kill ${byPhase('killed')}, ` +
          `draining ${byPhase('draining')}, Redis down ${byPhase('redis-down')}, back ${byPhase('redis-back')}); ` +
          `${syncAcked.length} sync and ${asyncAcked.length} async adds acknowledged; ${failures.length} failures ` +
          `(of which ${failures.filter((o) => o.marker && stored.has(o.marker)).length} stored all the same) ` +
          `(${count((o) => o.status === 0)} cut by the kill, ${count((o) => o.status === 503)} async adds refused while Redis was down); ` +
          `slowest REST answer while Redis was down ${Math.max(...whileDown.map((o) => o.ms))} ms\n`,
      );
    } finally {
      await db.end();
    }
    expect(onA.connections).toEqual([a.url, b.url]);
    expect(onB.connections).toEqual([b.url]);
  }, 300_000);
});
