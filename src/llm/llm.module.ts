import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ChatModelService } from './chat-model.service.js';
import { EmbeddingService } from './embedding/embedding.service.js';

/** Chat models and embeddings behind one interface each, for every module that needs them. */
@Global()
@Module({
  providers: [
    ChatModelService,
    { provide: EmbeddingService, inject: [AppConfig], useFactory: async (config: AppConfig) => new EmbeddingService(await EmbeddingService.create(config)) },
  ],
  exports: [ChatModelService, EmbeddingService],
})
export class LlmModule {}
