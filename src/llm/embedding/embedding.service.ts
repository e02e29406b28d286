import { Logger } from '@nestjs/common';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createHash } from 'node:crypto';
import { ByteLru } from '../../common/cache/byte-lru.js';
import { AppConfig } from '../../config/app-config.js';
import type { MetricsService } from '../../observability/metrics.service.js';
import { AiSdkEmbedder } from './ai-sdk-embedder.js';
import type { Embedder } from './embedder.js';
import { LexicalEmbedder } from './lexical-embedder.js';
import type { RedisVectorCache } from './redis-vector-cache.js';
import { TransformersEmbedder } from './transformers-embedder.js';

/** Bytes of vectors the in-process level holds by default (EMBEDDING_CACHE_MB). */
const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

/** What the service needs besides its embedder; all optional (unit tests build it bare). */
export interface EmbeddingCacheOptions {
  /** Bytes of vectors kept in this process (0: none). */
  memoryBytes?: number;
  /** The level shared by every process (Redis), if any. */
  shared?: RedisVectorCache | null;
  /** Where cache lookups and embedder calls are recorded (and traced). */
  metrics?: MetricsService;
}

/**
 * The configured embedder behind a cache in two levels, keyed by the SHA-256 of the text: this
 * process's least-recently-used vectors (bounded in bytes), then Redis shared by every replica
 * and worker (EMBEDDING_CACHE_TTL_SECONDS), so each distinct text reaches the embedder once per
 * installation; with a paid embedding API that is the point. Vectors are Float32Array
 * (pgvector stores float4 anyway; a quarter of what arrays of numbers took). Within a process, a
 * text being embedded already is waited for, not embedded again. The cache never fails an
 * embedding: a Redis that is down or slow (over 500 ms) is a miss.
 *
 * Built by LlmModule around the embedder createApp loaded with `create` (loading a model is
 * asynchronous, and a failure must stop the start before anything else opens).
 */
export class EmbeddingService {
  private readonly logger = new Logger('Embeddings');
  private readonly memory: ByteLru<string, Float32Array>;
  private readonly shared: RedisVectorCache | null;
  private readonly metrics: MetricsService | undefined;
  /** Whether the last Redis command failed (its warning is logged once per outage, not per call). */
  private sharedFailing = false;
  /** Texts being embedded by this process now, by hash. */
  private readonly inFlight = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly embedder: Embedder,
    options: EmbeddingCacheOptions = {},
  ) {
    this.memory = new ByteLru(options.memoryBytes ?? DEFAULT_CACHE_BYTES, (v) => v.byteLength);
    this.shared = options.shared ?? null;
    this.metrics = options.metrics;
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

  /** Vectors for the texts, in order; only texts no cache level has reach the embedder. */
  async embed(texts: string[]): Promise<number[][]> {
    const keys = texts.map((t) => createHash('sha256').update(t).digest('base64'));
    const found = new Map<string, Float32Array>();
    const waits: Promise<void>[] = [];
    const missing = new Map<string, string>();
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (seen.has(key)) return;
      seen.add(key);
      const hit = this.memory.get(key);
      const pending = hit ? undefined : this.inFlight.get(key);
      this.lookup('memory', hit || pending ? 'hit' : 'miss');
      if (hit) found.set(key, hit);
      else if (pending) waits.push(pending.then((v) => void found.set(key, v)));
      else missing.set(key, texts[i]);
    });
    if (missing.size > 0) {
      const fetched = this.fetch(missing);
      for (const key of missing.keys()) {
        const one = fetched.then((vectors) => vectors.get(key)!);
        one.catch(() => undefined); // awaited by whoever waits for it; unobserved otherwise
        this.inFlight.set(key, one);
      }
      try {
        for (const [key, vector] of await fetched) found.set(key, vector);
      } finally {
        for (const key of missing.keys()) this.inFlight.delete(key);
      }
    }
    await Promise.all(waits);
    // As float32, cached or not: the same text always gets the very same vector.
    return keys.map((k) => Array.from(found.get(k)!));
  }

  /** The vectors of texts this process does not have: from Redis, else from the embedder (then stored in both). */
  private async fetch(missing: Map<string, string>): Promise<Map<string, Float32Array>> {
    const vectors = new Map<string, Float32Array>();
    const hashes = [...missing.keys()];
    if (this.shared) {
      try {
        const stored = await this.shared.get(hashes);
        this.sharedAnswered();
        stored.forEach((vector, i) => {
          this.lookup('redis', vector ? 'hit' : 'miss');
          if (vector) vectors.set(hashes[i], vector);
        });
      } catch (error) {
        this.lookup('redis', 'error', hashes.length);
        this.sharedFailed(error);
      }
    }
    const toEmbed = hashes.filter((h) => !vectors.has(h));
    if (toEmbed.length > 0) {
      const texts = toEmbed.map((h) => missing.get(h)!);
      const work = () => this.embedder.embed(texts);
      const made = this.metrics
        ? await this.metrics.timed('embedding', this.metrics.embeddingDuration, { embedder: this.embedder.id }, work, {
            'embedding.texts': texts.length,
          })
        : await work();
      const fresh: [string, Float32Array][] = toEmbed.map((h, i) => [h, Float32Array.from(made[i])]);
      for (const [h, v] of fresh) vectors.set(h, v);
      // Awaited (a short timeout bounds it), so another process asking right after this answer finds them.
      await this.shared
        ?.set(fresh)
        .then(() => this.sharedAnswered())
        .catch((error: unknown) => this.sharedFailed(error));
    }
    for (const [h, v] of vectors) this.memory.set(h, v);
    return vectors;
  }

  private sharedFailed(error: unknown): void {
    if (!this.sharedFailing)
      this.logger.warn(`Redis does not answer (${String(error)}): texts are embedded without the shared cache`);
    this.sharedFailing = true;
  }

  private sharedAnswered(): void {
    if (this.sharedFailing) this.logger.log('Redis answers again: the shared embedding cache is back');
    this.sharedFailing = false;
  }

  private lookup(level: 'memory' | 'redis', result: 'hit' | 'miss' | 'error', count = 1): void {
    this.metrics?.embeddingCache.inc({ level, result }, count);
  }
}
