import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { DatabaseState } from '../database/database-state.js';
import { LimitsModule } from '../limits/limits.module.js';
import { EmbeddingService } from '../llm/embedding/embedding.service.js';
import { ExtractionService } from './extraction/extraction.service.js';
import { ExportProcessor } from './jobs/export.processor.js';
import { ImportProcessor } from './jobs/import.processor.js';
import { MemoryIngestProcessor } from './jobs/memory-ingest.processor.js';
import { ReembedProcessor } from './jobs/reembed.processor.js';
import { MemoryController } from './memory.controller.js';
import { MemoryRepository, VECTOR_SCHEMA } from './memory.repository.js';
import { AddBatcher } from './add-batcher.js';
import { MemoryService } from './memory.service.js';
import { AccessCounts } from './search/access-counts.js';
import { MemoryIndex } from './search/memory-index.js';
import { SearchController } from './search/search.controller.js';
import { SearchRepository } from './search/search.repository.js';
import { SearchService } from './search/search.service.js';
import { ensureVectorSchema, wantsHnswIndex, wantsVectors } from './vector-schema.js';
import type { VectorSchemaState } from './vector-schema.js';

/** Memories, their history, extraction, search (search/: POST /memories/search and /search), and the memory jobs' processors (maintenance has its own module). */
@Module({
  imports: [LimitsModule],
  controllers: [MemoryController, SearchController],
  providers: [
    MemoryService,
    MemoryRepository,
    SearchRepository,
    MemoryIndex,
    AddBatcher,
    SearchService,
    AccessCounts,
    ExtractionService,
    ImportProcessor,
    ExportProcessor,
    MemoryIngestProcessor,
    ReembedProcessor,
    {
      provide: VECTOR_SCHEMA,
      inject: [DataSource, DatabaseState, EmbeddingService, AppConfig],
      useFactory: async (
        dataSource: DataSource,
        database: DatabaseState,
        embeddings: EmbeddingService,
        config: AppConfig,
      ): Promise<VectorSchemaState> => {
        if (!wantsVectors(config, embeddings.semantic)) {
          new Logger('Memory').log(
            `vector retrieval off (VECTOR_SEARCH=${config.VECTOR_SEARCH}, ${embeddings.semantic ? 'semantic' : 'lexical'} embedder): full-text search only`,
          );
          return {
            enabled: false,
            indexed: false,
            reason: `VECTOR_SEARCH=${config.VECTOR_SEARCH}: no embeddings are stored with the lexical embedder; set VECTOR_SEARCH=on (then npm run reembed) or a semantic embedder`,
          };
        }
        const index = wantsHnswIndex(config);
        const state = await ensureVectorSchema(
          dataSource,
          database.vector,
          { model: embeddings.id, dimensions: embeddings.dimensions },
          index,
        );
        new Logger('Memory').log(
          state.enabled
            ? `vector retrieval on (${state.indexed ? 'HNSW index' : 'exact scan'})`
            : 'vector retrieval off: full-text search only',
        );
        return state;
      },
    },
  ],
  exports: [MemoryService, SearchService, VECTOR_SCHEMA],
})
export class MemoryModule {}
