import { Redis } from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { MetricsService } from '../../observability/metrics.service.js';
import type { Embedder } from './embedder.js';
import { EmbeddingService } from './embedding.service.js';
import { RedisVectorCache } from './redis-vector-cache.js';

class CountingEmbedder implements Embedder {
  readonly id = 'counting/3';
  readonly dimensions = 3;
  readonly semantic = true;
  readonly costly = true;
  seen: string[] = [];

  async embed(texts: string[]): Promise<number[][]> {
    this.seen.push(...texts);
    return texts.map((t) => [t.length, 0.5, -0.25]);
  }
}

async function lookups(metrics: MetricsService, level: string, result: string): Promise<number> {
  const { values } = await metrics.embeddingCache.get();
  return values.find((v) => v.labels.level === level && v.labels.result === result)?.value ?? 0;
}

/** A client as the cache's own: no offline queue, a short timeout. */
const client = (url: string) =>
  new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 }).on(
    'error',
    () => undefined,
  );

describe('EmbeddingService with a Redis level', () => {
  it('embeds as if uncached when Redis does not answer, and records the failed lookups', async () => {
    // Nothing listens on port 1: every command fails at once.
    const redis = client('redis://127.0.0.1:1');
    await redis.connect().catch(() => undefined);
    try {
      const inner = new CountingEmbedder();
      const metrics = new MetricsService();
      const service = new EmbeddingService(inner, {
        memoryBytes: 0,
        shared: new RedisVectorCache(redis, 'test:', inner.id, inner.dimensions, 60),
        metrics,
      });
      expect(await service.embed(['a', 'bb'])).toEqual([
        [1, 0.5, -0.25],
        [2, 0.5, -0.25],
      ]);
      expect(inner.seen).toEqual(['a', 'bb']);
      expect(await lookups(metrics, 'redis', 'error')).toBe(2);
    } finally {
      redis.disconnect();
    }
  });

  const redisUrl = process.env.REDIS_URL;
  (redisUrl ? it : it.skip)(
    'shares vectors between two processes, each with its time to live, and never across embedders',
    async () => {
      const prefix = `test-${randomBytes(4).toString('hex')}:cache:`;
      const [r1, r2] = [client(redisUrl!), client(redisUrl!)];
      await Promise.all([r1.connect(), r2.connect()]);
      try {
        const first = new CountingEmbedder();
        const second = new CountingEmbedder();
        const other = Object.assign(new CountingEmbedder(), { id: 'other/3' });
        const one = new EmbeddingService(first, { shared: new RedisVectorCache(r1, prefix, first.id, 3, 60) });
        const two = new EmbeddingService(second, { shared: new RedisVectorCache(r2, prefix, second.id, 3, 60) });
        const three = new EmbeddingService(other, { shared: new RedisVectorCache(r2, prefix, other.id, 3, 60) });
        const [vector] = await one.embed(['a text']);
        expect(await two.embed(['a text'])).toEqual([vector]);
        expect(second.seen).toEqual([]);
        await three.embed(['a text']);
        expect(other.seen).toEqual(['a text']);
        const hash = createHash('sha256').update('a text').digest('base64');
        const ttl = await r1.ttl(`${prefix}emb:${first.id}:${hash}`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60);
      } finally {
        const keys = await r1.keys(`${prefix}*`);
        if (keys.length) await r1.del(...keys);
        r1.disconnect();
        r2.disconnect();
      }
    },
  );
});
