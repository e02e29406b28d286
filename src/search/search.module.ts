import { Module } from '@nestjs/common';
import { MemoryModule } from '../memory/memory.module.js';
import { SearchController } from './search.controller.js';

/** POST /search. The filter language and fusion live here; the queries run in MemoryRepository. */
@Module({
  imports: [MemoryModule],
  controllers: [SearchController],
})
export class SearchModule {}
