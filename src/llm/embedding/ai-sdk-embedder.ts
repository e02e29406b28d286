import { embedMany } from 'ai';
import type { EmbeddingModel } from 'ai';
import type { Embedder } from './embedder.js';

/** Embeddings from a provider's API (OpenAI, an OpenAI-compatible server, Google) via the AI SDK. */
export class AiSdkEmbedder implements Embedder {
  readonly semantic = true;
  readonly costly = true;

  constructor(
    readonly id: string,
    readonly dimensions: number,
    private readonly model: EmbeddingModel,
    private readonly timeoutMs: number,
  ) {}

  async embed(texts: string[]): Promise<number[][]> {
    const { embeddings } = await embedMany({
      model: this.model,
      values: texts,
      maxRetries: 2,
      abortSignal: AbortSignal.timeout(this.timeoutMs),
    });
    for (const e of embeddings) {
      if (e.length !== this.dimensions) {
        throw new Error(
          `embedding model ${this.id} returned ${e.length} dimensions, EMBEDDING_DIMENSIONS is ${this.dimensions}`,
        );
      }
    }
    return embeddings;
  }
}
