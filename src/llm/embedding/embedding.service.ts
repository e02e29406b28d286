import { Logger } from '@nestjs/common';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../config/app-config.js';
import { AiSdkEmbedder } from './ai-sdk-embedder.js';
import type { Embedder } from './embedder.js';
import { LexicalEmbedder } from './lexical-embedder.js';
import { TransformersEmbedder } from './transformers-embedder.js';

/** Bytes of vectors the cache holds (as float32: 384 dimensions are 1.5 KB, so ~10,000 vectors). */
const CACHE_BYTES = 16 * 1024 * 1024;

/**
 * The configured embedder behind a cache: identical texts are embedded once (keyed by the
 * SHA-256 of the text), which also makes re-adding and re-searching the same text free. The
 * cache is bounded in bytes and keeps vectors as Float32Array (pgvector stores float4 anyway):
 * a quarter of what arrays of numbers took.
 */
/** Built by createApp with the embedder `create` loaded (loading a model is asynchronous). */
export class EmbeddingService {
  private readonly logger = new Logger('Embeddings');
  private readonly cache = new Map<string, Float32Array>();
  private cachedBytes = 0;

  constructor(private readonly embedder: Embedder) {
    this.logger.log(
      `embedder: ${embedder.id} (${embedder.dimensions} dimensions, ${embedder.semantic ? 'semantic' : 'lexical'})`,
    );
  }

  /**
   * The configured embedder. `local`: a neural model in-process when EMBEDDING_MODEL_PATH (a
   * folder, offline) or EMBEDDING_MODEL (a hub name, downloaded once into DATA_DIR/models) says
   * which, otherwise the built-in lexical embedder. A model that cannot be loaded, or whose size
   * is not EMBEDDING_DIMENSIONS, stops the start with a message naming the setting.
   */
  static async create(config: AppConfig): Promise<Embedder> {
    if (config.EMBEDDING_PROVIDER === 'local' && (config.EMBEDDING_MODEL_PATH || config.EMBEDDING_MODEL)) {
      const source = config.EMBEDDING_MODEL_PATH
        ? { path: config.EMBEDDING_MODEL_PATH }
        : { model: config.EMBEDDING_MODEL!, cacheDir: config.DATA_DIR };
      const setting = config.EMBEDDING_MODEL_PATH
        ? `EMBEDDING_MODEL_PATH=${config.EMBEDDING_MODEL_PATH}`
        : `EMBEDDING_MODEL=${config.EMBEDDING_MODEL}`;
      let model: TransformersEmbedder;
      try {
        model = await TransformersEmbedder.load(source);
      } catch (error) {
        throw new Error(`Could not load the embedding model of ${setting}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (model.dimensions !== config.EMBEDDING_DIMENSIONS) {
        throw new Error(
          `The model of ${setting} makes ${model.dimensions}-dimensional vectors; set EMBEDDING_DIMENSIONS=${model.dimensions}`,
        );
      }
      return model;
    }
    return EmbeddingService.remote(config);
  }

  private static remote(config: AppConfig): Embedder {
    const dims = config.EMBEDDING_DIMENSIONS;
    const apiKey = config.EMBEDDING_API_KEY ?? config.LLM_API_KEY;
    const baseURL = config.EMBEDDING_BASE_URL ?? config.LLM_BASE_URL;
    const model = config.EMBEDDING_MODEL ?? '';
    switch (config.EMBEDDING_PROVIDER) {
      case 'local':
        return new LexicalEmbedder(dims);
      case 'openai':
        return new AiSdkEmbedder(
          `openai:${model}/${dims}`,
          dims,
          createOpenAI({ apiKey, baseURL }).embedding(model),
          config.LLM_TIMEOUT_MS,
        );
      case 'openai-compatible':
        return new AiSdkEmbedder(
          `openai-compatible:${model}/${dims}`,
          dims,
          createOpenAICompatible({ name: 'embeddings', apiKey, baseURL: baseURL ?? '' }).embeddingModel(model),
          config.LLM_TIMEOUT_MS,
        );
      case 'google':
        return new AiSdkEmbedder(
          `google:${model}/${dims}`,
          dims,
          createGoogleGenerativeAI({ apiKey, baseURL }).embedding(model),
          config.LLM_TIMEOUT_MS,
        );
    }
  }

  get id(): string {
    return this.embedder.id;
  }

  get dimensions(): number {
    return this.embedder.dimensions;
  }

  get semantic(): boolean {
    return this.embedder.semantic;
  }

  /** Vectors for the texts, in order; only texts not seen before reach the embedder. */
  async embed(texts: string[]): Promise<number[][]> {
    const keys = texts.map((t) => createHash('sha256').update(t).digest('base64'));
    const found = new Map<string, number[]>();
    for (const k of keys) {
      const hit = this.cache.get(k);
      if (hit) found.set(k, Array.from(hit));
    }
    const missing = [...new Set(keys.filter((k) => !found.has(k)))];
    if (missing.length) {
      const byKey = new Map(keys.map((k, i) => [k, texts[i]]));
      const vectors = await this.embedder.embed(missing.map((k) => byKey.get(k)!));
      // As float32, cached or not: the same text always gets the very same vector.
      missing.forEach((k, i) => found.set(k, Array.from(this.remember(k, vectors[i]))));
    }
    return keys.map((k) => found.get(k)!);
  }

  private remember(key: string, vector: number[]): Float32Array {
    const stored = Float32Array.from(vector);
    if (this.cache.has(key)) return stored;
    while (this.cachedBytes + stored.byteLength > CACHE_BYTES && this.cache.size > 0) {
      const [oldest, dropped] = this.cache.entries().next().value as [string, Float32Array];
      this.cache.delete(oldest);
      this.cachedBytes -= dropped.byteLength;
    }
    this.cache.set(key, stored);
    this.cachedBytes += stored.byteLength;
    return stored;
  }
}
