import { DataSource } from 'typeorm';
import { LeaseLock, LockTimeout } from '../src/common/locks/lease-lock.js';
import { loadConfig } from '../src/config/app-config.js';
import { startTestApp } from './support/test-app.js';
import type { TestApp } from './support/test-app.js';

const redisUrl = process.env.REDIS_URL;

/** Two LeaseLocks over the same store stand for two processes (API replicas). */
describe.each([
  ['the locks table (no Redis)', false],
  ['Redis', true],
])('LeaseLock across processes: %s', (_name, useRedis) => {
  const run = useRedis && !redisUrl ? it.skip : it;
  let t: TestApp;
  let one: LeaseLock;
  let two: LeaseLock;

  beforeAll(async () => {
    if (useRedis && !redisUrl) return;
    t = await startTestApp();
    const config = loadConfig({
      ...(useRedis ? { REDIS_URL: redisUrl!, QUEUE_PREFIX: `lock-test-${Date.now()}` } : {}),
      DATA_DIR: '/tmp/unused',
    });
    const dataSource = t.app.get(DataSource);
    one = new LeaseLock(config, dataSource);
    two = new LeaseLock(config, dataSource);
  });
  afterAll(async () => {
    await one?.onApplicationShutdown();
    await two?.onApplicationShutdown();
    await t?.close();
  });

  run('lets one holder in at a time; the other waits, or gives up after its wait with LockTimeout', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = one.run('turn:x', 1000, async () => {
      order.push('one in');
      entered();
      await held;
      order.push('one out');
    });
    // Until the first holder is in (its first lock also opens the Redis connection: on a busy machine, over 50 ms).
    await inside;
    await expect(two.run('turn:x', 150, async () => order.push('never'))).rejects.toBeInstanceOf(LockTimeout);
    const second = two.run('turn:x', 5000, async () => order.push('two in'));
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(['one in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['one in', 'one out', 'two in']);
    // Other keys are not held up.
    await expect(two.run('turn:y', 100, async () => 'free')).resolves.toBe('free');
  });

  run('frees the lock when the work throws', async () => {
    await expect(one.run('turn:z', 500, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(two.run('turn:z', 500, async () => 'next')).resolves.toBe('next');
  });
});
