import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
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
  MemoryScopesResponseDto,
  SearchResponseDto,
} from './dto/memory-response.dto.js';
import { ListScopesQueryDto } from './dto/list-scopes-query.dto.js';
import { SearchMemoriesDto } from './dto/search-memories.dto.js';
import { SearchService } from './search/search.service.js';
import { UpdateMemoryDto } from './dto/update-memory.dto.js';
import { MemoryService } from './memory.service.js';
import { ExportMemoriesDto } from './dto/export-memories.dto.js';
import { ImportAcceptedResponseDto } from './dto/memory-response.dto.js';
import { JobAcceptedResponseDto } from '../jobs/dto/job-response.dto.js';
import { JobsService } from '../jobs/jobs.service.js';
import { QueueName } from '../jobs/jobs.types.js';
import { parseImportLines } from './import-lines.js';
import { MemoryError, MemoryErrorCode } from './memory.errors.js';

@ApiTags('memories')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@Controller('memories')
export class MemoryController {
  constructor(
    private readonly memories: MemoryService,
    private readonly searches: SearchService,
    private readonly jobs: JobsService,
  ) {}

  /**
   * Remembers a text or a conversation for a user, agent and/or run. With `infer` (default) and
   * an LLM configured, facts are extracted and reconciled with existing memories; otherwise the
   * text is stored as given (a duplicate in the same scope is NONE, not a second memory).
   */
  @Post()
  @ApiCreatedResponse({ type: AddMemoriesResponseDto })
  @ApiAcceptedResponse({ description: 'With async: queued; follow the job', type: JobAcceptedResponseDto })
  @ApiBadGatewayResponse({
    description: 'The LLM answered with unusable output twice; nothing was written',
    type: ErrorResponseDto,
  })
  async add(
    @Body() body: CreateMemoryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AddMemoriesResponseDto | JobAcceptedResponseDto> {
    if (!body.async) return this.memories.add(body);
    const { async: _async, ...input } = body;
    res.status(HttpStatus.ACCEPTED);
    return { jobId: await this.memories.enqueueAdd(input) };
  }

  /**
   * Imports memories from JSON Lines (Content-Type application/x-ndjson): one object per line
   * with `content`, a scope (userId, agentId and/or runId) and optionally type, metadata,
   * importance, createdAt, expiresAt — the format exports produce. Up to 100,000 lines, checked
   * whole before anything is queued; the job stores them in batches, reporting progress.
   */
  @Post('import')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiConsumes('application/x-ndjson')
  @ApiBody({
    schema: {
      type: 'string',
      example: '{"content":"Alice likes tea","userId":"alice"}\n{"content":"Bob lives in Oslo","userId":"bob"}',
    },
  })
  @ApiAcceptedResponse({ type: ImportAcceptedResponseDto })
  async import(@Body() body: unknown): Promise<ImportAcceptedResponseDto> {
    if (typeof body !== 'string') {
      throw new MemoryError(
        MemoryErrorCode.InvalidInput,
        'body: send JSON Lines with Content-Type application/x-ndjson (one memory object per line)',
      );
    }
    const rows = parseImportLines(body);
    await this.memories.checkRoomFor(rows.length);
    return { jobId: await this.jobs.enqueue(QueueName.Import, { rows }), rows: rows.length };
  }

  /** Exports memories (all of your organization's, or a scope's) as JSON Lines; download from GET /jobs/{jobId}/result. */
  @Post('export')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: JobAcceptedResponseDto })
  async export(@Body() body: ExportMemoriesDto): Promise<JobAcceptedResponseDto> {
    return { jobId: await this.jobs.enqueue(QueueName.Export, body) };
  }

  /** Recomputes the embeddings of your organization's memories with the server's current embedder. */
  @Authenticated({ role: 'admin' })
  @Post('reembed')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: JobAcceptedResponseDto })
  async reembed(): Promise<JobAcceptedResponseDto> {
    return { jobId: await this.jobs.enqueue(QueueName.Reembed, {}) };
  }

  /** Hybrid search (vector + full text, fused) over the caller's memories. */
  @Authenticated({ role: 'viewer' }) // a read, though it is a POST
  @Post('search')
  @HttpCode(HttpStatus.OK)
  search(@Body() body: SearchMemoriesDto): Promise<SearchResponseDto> {
    return this.searches.search(body);
  }

  /** Memories by scope, type and creation time, oldest first (or `order=desc`). */
  @Get()
  list(@Query() query: ListMemoriesQueryDto): Promise<MemoryPageResponseDto> {
    return this.memories.list(query);
  }

  /** The user, agent and run ids your memories belong to, with their counts, most recently changed first. */
  @Get('scopes')
  scopes(@Query() query: ListScopesQueryDto): Promise<MemoryScopesResponseDto> {
    return this.memories.scopes(query.limit);
  }

  /** Deletes every memory of a scope (userId, agentId and/or runId; at least one). */
  @Delete()
  delete(@Query() query: DeleteMemoriesQueryDto): Promise<DeletedCountResponseDto> {
    return this.memories.removeScope(query).then((deleted) => ({ deleted }));
  }

  /** One memory. */
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
