import { Injectable } from '@nestjs/common';
import { BlocksService } from '../../agents/blocks/blocks.service.js';
import type {
  LettaBlockDto,
  LettaCreateBlockDto,
  LettaListBlocksQueryDto,
  LettaUpdateBlockDto,
} from './dto/letta-block.dto.js';
import { blockChanges, blockInput, toLettaBlock } from './letta-mappers.js';
import { pageWindow } from './letta-paging.js';

/** Letta's blocks on their own (shared between agents), onto BlocksService. */
@Injectable()
export class LettaBlocksService {
  constructor(private readonly blocks: BlocksService) {}

  async create(input: LettaCreateBlockDto): Promise<LettaBlockDto> {
    return toLettaBlock(await this.blocks.create(blockInput(input)));
  }

  async list(query: LettaListBlocksQueryDto): Promise<LettaBlockDto[]> {
    return (await this.blocks.window(pageWindow(query, 'asc'), query.label)).map(toLettaBlock);
  }

  async get(id: string): Promise<LettaBlockDto> {
    return toLettaBlock(await this.blocks.get(id));
  }

  async update(id: string, input: LettaUpdateBlockDto): Promise<LettaBlockDto> {
    return toLettaBlock(await this.blocks.update(id, blockChanges(input)));
  }

  remove(id: string): Promise<void> {
    return this.blocks.remove(id);
  }
}
