import { Global, Module } from '@nestjs/common';
import { ChatModelService } from './chat-model.service.js';
import { EmbeddingService } from './embedding/embedding.service.js';

/** Chat models and embeddings behind one interface each, for every module that needs them. */
@Global()
@Module({
  providers: [ChatModelService, EmbeddingService],
  exports: [ChatModelService, EmbeddingService],
})
export class LlmModule {}
