import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import { BlocksService } from './blocks.service.js';
import { BlockPageResponseDto, BlockResponseDto } from './dto/block-response.dto.js';
import { CreateBlockDto } from './dto/create-block.dto.js';
import { ListBlocksQueryDto } from './dto/list-blocks-query.dto.js';
import { UpdateBlockDto } from './dto/update-block.dto.js';

/** Blocks on their own: shared by several agents (attach them with PATCH /agents/:id/blocks/attach/:blockId). */
@ApiTags('blocks')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input (a value over its limit says the limit)', type: ErrorResponseDto })
@Controller('blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  /** Creates a block not yet attached to any agent. */
  @Post()
  create(@Body() body: CreateBlockDto): Promise<BlockResponseDto> {
    return this.blocks.create(body);
  }

  /** The organization's blocks, oldest first, a page at a time (optionally of one label). */
  @Get()
  list(@Query() query: ListBlocksQueryDto): Promise<BlockPageResponseDto> {
    return this.blocks.list(query.limit, query.cursor, query.label);
  }

  /** One block, with the agents it is attached to. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such block in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string): Promise<BlockResponseDto> {
    return this.blocks.get(id);
  }

  /** Changes a block (value, label, limit, description, read-only, metadata); every agent it is attached to sees the change. */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such block in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The new label is taken on an agent it is attached to', type: ErrorResponseDto })
  update(@Param('id', ParseId) id: string, @Body() body: UpdateBlockDto): Promise<BlockResponseDto> {
    return this.blocks.update(id, body);
  }

  /** Deletes the block, detaching it from every agent. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such block in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.blocks.remove(id);
  }
}
