import { DynamicModule, Global, Module } from '@nestjs/common';
import { ChatModelService } from './chat-model.service.js';
import { LlmStreamPublisher } from './llm-stream.publisher.js';
import type { Embedder } from './embedding/embedder.js';
import { EmbeddingService } from './embedding/embedding.service.js';

/** Chat models and embeddings behind one interface each, for every module that needs them. */
@Global()
@Module({})
export class LlmModule {
  /** The embedder is loaded before the application is built (see createApp): a model that fails stops the start before anything else opens. */
  static forRoot(embedder: Embedder): DynamicModule {
    return {
      module: LlmModule,
      providers: [
        ChatModelService,
        LlmStreamPublisher,
        { provide: EmbeddingService, useValue: new EmbeddingService(embedder) },
      ],
      exports: [ChatModelService, EmbeddingService, LlmStreamPublisher],
    };
  }
}
