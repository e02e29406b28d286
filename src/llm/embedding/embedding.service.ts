import { Injectable, Logger } from '@nestjs/common';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createHash } from 'node:crypto';
import { AppConfig } from '../../config/app-config.js';
import { AiSdkEmbedder } from './ai-sdk-embedder.js';
import type { Embedder } from './embedder.js';
import { LexicalEmbedder } from './lexical-embedder.js';

const CACHE_SIZE = 20_000;

/**
 * The configured embedder behind a cache: identical texts are embedded once (keyed by the
 * SHA-256 of the text), which also makes re-adding and re-searching the same text free.
 */
@Injectable()
export class EmbeddingService {
  private readonly logger = new Logger('Embeddings');
  private readonly embedder: Embedder;
  private readonly cache = new Map<string, number[]>();

  constructor(config: AppConfig) {
    this.embedder = EmbeddingService.create(config);
    this.logger.log(`embedder: ${this.embedder.id} (${this.embedder.dimensions} dimensions, ${this.embedder.semantic ? 'semantic' : 'lexical'})`);
  }

  static create(config: AppConfig): Embedder {
    const dims = config.EMBEDDING_DIMENSIONS;
    const apiKey = config.EMBEDDING_API_KEY ?? config.LLM_API_KEY;
    const baseURL = config.EMBEDDING_BASE_URL ?? config.LLM_BASE_URL;
    const model = config.EMBEDDING_MODEL ?? '';
    switch (config.EMBEDDING_PROVIDER) {
      case 'local':
        return new LexicalEmbedder(dims);
      case 'openai':
        return new AiSdkEmbedder(`openai:${model}/${dims}`, dims, createOpenAI({ apiKey, baseURL }).embedding(model), config.LLM_TIMEOUT_MS);
      case 'openai-compatible':
        return new AiSdkEmbedder(
          `openai-compatible:${model}/${dims}`,
          dims,
          createOpenAICompatible({ name: 'embeddings', apiKey, baseURL: baseURL ?? '' }).embeddingModel(model),
          config.LLM_TIMEOUT_MS,
        );
      case 'google':
        return new AiSdkEmbedder(`google:${model}/${dims}`, dims, createGoogleGenerativeAI({ apiKey, baseURL }).embedding(model), config.LLM_TIMEOUT_MS);
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
      if (hit) found.set(k, hit);
    }
    const missing = [...new Set(keys.filter((k) => !found.has(k)))];
    if (missing.length) {
      const byKey = new Map(keys.map((k, i) => [k, texts[i]]));
      const vectors = await this.embedder.embed(missing.map((k) => byKey.get(k)!));
      missing.forEach((k, i) => {
        found.set(k, vectors[i]);
        this.remember(k, vectors[i]);
      });
    }
    return keys.map((k) => found.get(k)!);
  }

  private remember(key: string, vector: number[]): void {
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, vector);
  }
}
