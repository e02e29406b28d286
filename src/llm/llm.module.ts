import { DynamicModule, Global, Module } from '@nestjs/common';
import { CacheRedis } from '../common/cache/cache-redis.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { ChatModelService } from './chat-model.service.js';
import { LlmStreamPublisher } from './llm-stream.publisher.js';
import type { Embedder } from './embedding/embedder.js';
import { EmbeddingService } from './embedding/embedding.service.js';
import { RedisVectorCache } from './embedding/redis-vector-cache.js';

/** Chat models and embeddings behind one interface each, for every module that needs them. */
@Global()
@Module({})
export class LlmModule {
  /**
   * The embedder is loaded before the application is built (see createApp): a model that fails
   * stops the start before anything else opens. Here it gets its cache levels and its metrics.
   */
  static forRoot(embedder: Embedder): DynamicModule {
    return {
      module: LlmModule,
      providers: [
        ChatModelService,
        LlmStreamPublisher,
        {
          provide: EmbeddingService,
          inject: [AppConfig, CacheRedis, MetricsService],
          useFactory: (config: AppConfig, redis: CacheRedis, metrics: MetricsService) =>
            new EmbeddingService(embedder, {
              memoryBytes: config.EMBEDDING_CACHE_MB * 1024 * 1024,
              shared:
                redis.client && config.EMBEDDING_CACHE_TTL_SECONDS > 0 && embedder.costly
                  ? new RedisVectorCache(
                      redis.client,
                      redis.prefix,
                      embedder.id,
                      embedder.dimensions,
                      config.EMBEDDING_CACHE_TTL_SECONDS,
                    )
                  : null,
              metrics,
            }),
        },
      ],
      exports: [ChatModelService, EmbeddingService, LlmStreamPublisher],
    };
  }
}
