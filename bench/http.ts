/**
 * HTTP benchmark: an authenticated GET (/api/v1/auth/me) on the embedded default, with an API
 * key (a hash lookup per request) and with a JWT (signature check plus a user lookup).
 * `npm run bench:http` — builds, starts the server as its own process, loads it with
 * autocannon, and records req/s, p50/p95/p99 latency and the server's RSS.
 */
import autocannon from 'autocannon';
import { percentile, record, rssMb, runIfMain, startServer } from './support.js';

export interface HttpBenchResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** Loads one URL with `connections` concurrent keep-alive clients for `durationSeconds`. */
export async function loadGet(
  url: string,
  headers: Record<string, string>,
  durationSeconds: number,
  connections: number,
): Promise<HttpBenchResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, headers, connections, duration: durationSeconds, pipelining: 1 }, (err, res) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
      latencies.push(responseTime),
    );
  });
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / durationSeconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

/** Registers an owner and mints an API key; returns both credentials. */
export async function credentials(baseUrl: string): Promise<{ jwt: string; apiKey: string; userId: string }> {
  const email = `bench-${Date.now()}@example.test`;
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, string>>;
  };
  const registered = (await post('/api/v1/auth/register', {
    organizationName: 'Bench',
    email,
    password: 'bench-password',
    name: 'Bench',
  })) as unknown as {
    accessToken: string;
    user: { id: string };
  };
  const key = await post('/api/v1/api-keys', { name: 'bench', scopes: ['read'] }, registered.accessToken);
  return { jwt: registered.accessToken, apiKey: key.key, userId: registered.user.id };
}

async function main(): Promise<void> {
  const duration = Number(process.env.BENCH_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
  const server = await startServer();
  try {
    const { jwt, apiKey, userId } = await credentials(server.url);
    const key = { 'x-api-key': apiKey };
    const token = { authorization: `Bearer ${jwt}` };
    // One row by id (one query after authentication), and /auth/me (three: org, user, key).
    const runs = [
      { name: `GET /users/:id with API key`, url: `${server.url}/api/v1/users/${userId}`, headers: key },
      { name: `GET /users/:id with JWT`, url: `${server.url}/api/v1/users/${userId}`, headers: token },
      { name: `GET /auth/me with API key`, url: `${server.url}/api/v1/auth/me`, headers: key },
    ];
    await loadGet(runs[0].url, key, 2, connections); // warm-up
    const figures = [];
    const results: Record<string, HttpBenchResult> = {};
    for (const run of runs) {
      const r = await loadGet(run.url, run.headers, duration, connections);
      if (r.errors || r.non2xx) throw new Error(`${run.name}: failed requests: ${JSON.stringify(r)}`);
      results[run.name] = r;
      figures.push(
        {
          name: `${run.name}: throughput`,
          value: r.requestsPerSecond,
          unit: 'req/s',
          target: 1000,
          higherIsBetter: true,
        },
        { name: `${run.name}: p50`, value: r.p50Ms, unit: 'ms' },
        { name: `${run.name}: p95`, value: r.p95Ms, unit: 'ms' },
      );
    }
    figures.push({
      name: 'server RSS after the runs',
      value: await rssMb(server.pid),
      unit: 'MB',
      target: 1024,
      higherIsBetter: false,
    });
    await record('http', figures, {
      settings: { durationSeconds: duration, connections, storage: 'embedded PGlite' },
      results,
    });
  } finally {
    await server.stop();
  }
}

runIfMain(import.meta.url, main);
