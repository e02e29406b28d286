import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { CreateMemoryDto } from './dto/create-memory.dto.js';
import { DeleteMemoriesQueryDto } from './dto/delete-memories-query.dto.js';
import { ListMemoriesQueryDto } from './dto/list-memories-query.dto.js';
import {
  AddMemoriesResponseDto,
  DeletedCountResponseDto,
  HistoryResponseDto,
  MemoryPageResponseDto,
  MemoryResponseDto,
  SearchResponseDto,
} from './dto/memory-response.dto.js';
import { SearchMemoriesDto } from './dto/search-memories.dto.js';
import { UpdateMemoryDto } from './dto/update-memory.dto.js';
import { MemoryService } from './memory.service.js';

@ApiTags('memories')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@Controller('memories')
export class MemoryController {
  constructor(private readonly memories: MemoryService) {}

  /**
   * Remembers a text or a conversation for a user, agent and/or run. With `infer` (default) and
   * an LLM configured, facts are extracted and reconciled with existing memories; otherwise the
   * text is stored as given (a duplicate in the same scope is NONE, not a second memory).
   */
  @Post()
  @ApiBadGatewayResponse({ description: 'The LLM answered with unusable output twice; nothing was written', type: ErrorResponseDto })
  add(@Body() body: CreateMemoryDto): Promise<AddMemoriesResponseDto> {
    return this.memories.add(body);
  }

  /** Hybrid search (vector + full text, fused) over the caller's memories. */
  @Authenticated({ role: 'viewer' }) // a read, though it is a POST
  @Post('search')
  @HttpCode(HttpStatus.OK)
  search(@Body() body: SearchMemoriesDto): Promise<SearchResponseDto> {
    return this.memories.search(body);
  }

  /** Memories by scope, type and creation time, oldest first. */
  @Get()
  list(@Query() query: ListMemoriesQueryDto): Promise<MemoryPageResponseDto> {
    return this.memories.list(query);
  }

  /** Deletes every memory of a scope (userId, agentId and/or runId; at least one). */
  @Delete()
  delete(@Query() query: DeleteMemoriesQueryDto): Promise<DeletedCountResponseDto> {
    return this.memories.removeScope(query).then((deleted) => ({ deleted }));
  }

  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such memory in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string): Promise<MemoryResponseDto> {
    return this.memories.get(id);
  }

  /** Changes a memory's text, metadata, type or importance (recorded in its history). */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such memory in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The new text is already a memory of the same scope', type: ErrorResponseDto })
  update(@Param('id', ParseId) id: string, @Body() body: UpdateMemoryDto): Promise<MemoryResponseDto> {
    return this.memories.update(id, body);
  }

  /** Deletes a memory (soft: its history stays readable). */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such memory in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.memories.remove(id);
  }

  /** Every change of a memory: ADD, UPDATE, DELETE with old and new text and who did it. */
  @Get(':id/history')
  @ApiNotFoundResponse({ description: 'No such memory in your organization', type: ErrorResponseDto })
  history(@Param('id', ParseId) id: string): Promise<HistoryResponseDto> {
    return this.memories.history(id).then((data) => ({ data }));
  }
}
