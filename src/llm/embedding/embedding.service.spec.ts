import type { Embedder } from './embedder.js';
import { EmbeddingService } from './embedding.service.js';

/** An embedder that counts the texts it is asked to embed. */
class CountingEmbedder implements Embedder {
  readonly id = 'counting/2';
  readonly dimensions = 2;
  readonly semantic = false;
  seen: string[] = [];

  async embed(texts: string[]): Promise<number[][]> {
    this.seen.push(...texts);
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
});
