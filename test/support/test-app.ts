import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app-config.js';
import type { AppConfig } from '../../src/config/app-config.js';

/** Which storage the e2e suite runs on in this jest project. */
export const onPostgres = process.env.AGENTMEM_E2E_TARGET === 'postgres';
const adminUrl = process.env.DATABASE_URL ?? '';

export interface Storage {
  /** Embedded: the data directory. Postgres: the database URL. */
  location: string;
  drop(): Promise<void>;
}

/** A fresh, empty storage: a new PGlite data directory, or a new database on the server. */
export async function freshStorage(): Promise<Storage> {
  if (!onPostgres) {
    const dir = await mkdtemp(join(tmpdir(), 'agentmem-test-'));
    return { location: dir, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `agentmem_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    location: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  storage: Storage;
  http: () => ReturnType<typeof request>;
  /** Stops the app; the storage stays (pass it to startTestApp again to restart on it). */
  stop(): Promise<void>;
  /** Stops the app and deletes its storage. */
  close(): Promise<void>;
}

/**
 * Boots the real AppModule on a random port over real storage. Settings come from `env`
 * only (never from the test process's environment), like a fresh server's would.
 */
export async function startTestApp(env: Record<string, string> = {}, storage?: Storage): Promise<TestApp> {
  const store = storage ?? (await freshStorage());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    ...(onPostgres
      ? { DATABASE_URL: store.location, JWT_SECRET: TEST_JWT_SECRET, DATABASE_POOL_SIZE: '5' }
      : { DATA_DIR: store.location }),
    // Each app gets its own Redis namespace unless a test shares one on purpose.
    ...(env.REDIS_URL ? { QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}` } : {}),
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  return {
    app,
    url,
    config,
    storage: store,
    http: () => request(url),
    stop,
    close: async () => {
      await stop();
      await store.drop();
    },
  };
}

let counter = 0;
/** A unique email for this test run. */
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}-${counter}-${randomBytes(4).toString('hex')}@example.test`;
}

export interface Registered {
  accessToken: string;
  refreshToken: string;
  userId: string;
  organizationId: string;
  email: string;
  password: string;
}

/** Registers a new organization and its owner over HTTP. */
export async function register(t: TestApp, organizationName = 'Org'): Promise<Registered> {
  const email = uniqueEmail('owner');
  const password = 'password-' + randomBytes(4).toString('hex');
  const res = await t
    .http()
    .post('/api/v1/auth/register')
    .send({ organizationName, email, password, name: 'Owner' })
    .expect(201);
  return {
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    userId: res.body.user.id,
    organizationId: res.body.organization.id,
    email,
    password,
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Checks the one error shape every failure must have. */
export function expectErrorShape(body: Record<string, unknown>, status: number): void {
  expect(body).toEqual(
    expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
      code: expect.any(String),
      requestId: expect.any(String),
    }),
  );
}
