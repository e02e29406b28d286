import type { Embedder } from './embedder.js';
import { EmbeddingService } from './embedding.service.js';

/** An embedder that counts the texts it is asked to embed. */
class CountingEmbedder implements Embedder {
  readonly id = 'counting/2';
  readonly dimensions = 2;
  readonly semantic = false;
  readonly costly = true;
  seen: string[] = [];

  async embed(texts: string[]): Promise<number[][]> {
    this.seen.push(...texts);
    await new Promise((resolve) => setImmediate(resolve));
    return texts.map((t) => [t.length, 1]);
  }
}

describe('EmbeddingService', () => {
  it('embeds each distinct text once, across calls and within one call, and keeps the order', async () => {
    const inner = new CountingEmbedder();
    const service = new EmbeddingService(inner);
    expect(await service.embed(['a', 'bb', 'a'])).toEqual([
      [1, 1],
      [2, 1],
      [1, 1],
    ]);
    expect(await service.embed(['bb', 'ccc'])).toEqual([
      [2, 1],
      [3, 1],
    ]);
    expect(inner.seen).toEqual(['a', 'bb', 'ccc']);
  });

  it('embeds a text once when several calls ask for it at the same time', async () => {
    const inner = new CountingEmbedder();
    const service = new EmbeddingService(inner);
    const results = await Promise.all([service.embed(['x', 'y']), service.embed(['y']), service.embed(['x', 'z'])]);
    expect(results).toEqual([
      [
        [1, 1],
        [1, 1],
      ],
      [[1, 1]],
      [
        [1, 1],
        [1, 1],
      ],
    ]);
    expect(inner.seen.sort()).toEqual(['x', 'y', 'z']);
  });

  it('keeps the most recently used vectors within its bound in bytes', async () => {
    const inner = new CountingEmbedder();
    // Two dimensions as float32 are 8 bytes: room for two vectors.
    const service = new EmbeddingService(inner, { memoryBytes: 16 });
    await service.embed(['a', 'b']);
    await service.embed(['a']); // a is used again, so b is the least recently used
    await service.embed(['c']);
    await service.embed(['a', 'c']);
    expect(inner.seen).toEqual(['a', 'b', 'c']);
    await service.embed(['b']);
    expect(inner.seen).toEqual(['a', 'b', 'c', 'b']);
  });

  it('embeds every time with the in-process level off', async () => {
    const inner = new CountingEmbedder();
    const service = new EmbeddingService(inner, { memoryBytes: 0 });
    await service.embed(['a']);
    await service.embed(['a']);
    expect(inner.seen).toEqual(['a', 'a']);
  });
});
