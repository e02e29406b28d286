import { MetricsService } from './metrics.service.js';

const count = async (metrics: MetricsService, leg: string) =>
  (await metrics.searchDuration.get()).values.find(
    (v) => v.metricName === 'agentmem_search_duration_seconds_count' && v.labels.leg === leg,
  )?.value ?? 0;

describe('MetricsService.timed / timedSync', () => {
  const metrics = new MetricsService();

  it('records synchronous work once, whether it returns or throws, and passes the result or error on', async () => {
    expect(metrics.timedSync('s', metrics.searchDuration, { mode: 'text', leg: 'sync' }, () => 42)).toBe(42);
    expect(() =>
      metrics.timedSync('s', metrics.searchDuration, { mode: 'text', leg: 'sync' }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(await count(metrics, 'sync')).toBe(2);
  });

  it('records asynchronous work when its promise settles, not before', async () => {
    let finish!: (v: string) => void;
    const pending = metrics.timed(
      'a',
      metrics.searchDuration,
      { mode: 'text', leg: 'async' },
      () => new Promise<string>((r) => (finish = r)),
    );
    expect(await count(metrics, 'async')).toBe(0);
    finish('done');
    await expect(pending).resolves.toBe('done');
    await expect(
      metrics.timed('a', metrics.searchDuration, { mode: 'text', leg: 'async' }, () => Promise.reject(new Error('no'))),
    ).rejects.toThrow('no');
    expect(await count(metrics, 'async')).toBe(2);
  });
});
