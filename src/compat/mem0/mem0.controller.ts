import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import { Mem0AddMemoryDto } from './dto/mem0-add.dto.js';
import { Mem0BatchDto } from './dto/mem0-batch.dto.js';
import { Mem0EntityIdsDto, Mem0PageQueryDto } from './dto/mem0-entity.dto.js';
import { Mem0FeedbackDto } from './dto/mem0-feedback.dto.js';
import {
  Mem0AddResponseDto,
  Mem0EntitiesDto,
  Mem0EventDto,
  Mem0FeedbackResponseDto,
  Mem0HistoryEntryDto,
  Mem0MemoryDto,
  Mem0MessageResponseDto,
  Mem0PageDto,
  Mem0PingResponseDto,
  Mem0SearchResponseDto,
} from './dto/mem0-response.dto.js';
import { Mem0ListMemoriesDto, Mem0SearchMemoriesDto } from './dto/mem0-search.dto.js';
import { Mem0UpdateMemoryDto } from './dto/mem0-update.dto.js';
import { Mem0DeleteMemoryQueryDto } from './dto/mem0-delete-query.dto.js';
import type { PageLink } from './mem0.service.js';
import { Mem0Service } from './mem0.service.js';

/** The URL of another page of the list this request read. */
function pageLink(req: Request, pageSize: number): PageLink {
  return (page) => {
    const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
    url.searchParams.set('page', String(page));
    url.searchParams.set('page_size', String(pageSize));
    return url.toString();
  };
}

/**
 * Mem0's platform API at the paths `mem0ai`'s MemoryClient calls from its `host` (this server's
 * base URL), with `Authorization: Token <API key>`. Every answer is JSON, deletes included (the
 * client parses every 2xx body).
 */
@ApiTags('mem0')
@Authenticated()
@ApiNotFoundResponse({ description: 'No such memory (or event) in your organization', type: ErrorResponseDto })
@Controller()
export class Mem0Controller {
  constructor(private readonly mem0: Mem0Service) {}

  /** Mem0: checks the key and names its organization (the client calls it when it starts). */
  @Get('v1/ping')
  ping(): Mem0PingResponseDto {
    return this.mem0.ping();
  }

  /** Mem0: remembers a conversation for a user, agent and/or run (facts extracted with infer and an LLM). */
  @Post('v3/memories/add')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: Mem0AddResponseDto })
  add(@Body() body: Mem0AddMemoryDto): Promise<Mem0AddResponseDto> {
    return this.mem0.add(body);
  }

  /** Mem0: the state of an add queued with async_mode. */
  @Get('v1/event/:id')
  event(@Param('id', ParseId) id: string): Promise<Mem0EventDto> {
    return this.mem0.event(id);
  }

  /** Mem0: hybrid search over the memories Mem0's filters select. */
  @Authenticated({ role: 'viewer' }) // a read, though it is a POST
  @Post('v3/memories/search')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: Mem0SearchResponseDto })
  search(@Body() body: Mem0SearchMemoriesDto): Promise<Mem0SearchResponseDto> {
    return this.mem0.search(body);
  }

  /** Mem0 (getAll): a numbered page of the memories Mem0's filters select, newest first. */
  @Authenticated({ role: 'viewer' }) // a read, though it is a POST
  @Post('v3/memories')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: Mem0PageDto })
  list(@Body() body: Mem0ListMemoriesDto, @Query() query: Mem0PageQueryDto, @Req() req: Request): Promise<Mem0PageDto> {
    return this.mem0.list(body, query.page, query.page_size, pageLink(req, query.page_size));
  }

  /** Mem0 (deleteAll): deletes every memory of a user, agent and/or run. */
  @Delete('v1/memories')
  deleteAll(@Query() query: Mem0EntityIdsDto): Promise<Mem0MessageResponseDto> {
    return this.mem0.removeAll(query);
  }

  /** Mem0: one memory. */
  @Get('v1/memories/:id')
  get(@Param('id', ParseId) id: string): Promise<Mem0MemoryDto> {
    return this.mem0.get(id);
  }

  /** Mem0: changes a memory's text, metadata or expiration date (recorded in its history). */
  @Put('v1/memories/:id')
  update(@Param('id', ParseId) id: string, @Body() body: Mem0UpdateMemoryDto): Promise<Mem0MemoryDto> {
    return this.mem0.update(id, body);
  }

  /** Mem0: deletes a memory (its history stays readable). */
  @Delete('v1/memories/:id')
  remove(@Param('id', ParseId) id: string, @Query() _query: Mem0DeleteMemoryQueryDto): Promise<Mem0MessageResponseDto> {
    return this.mem0.remove(id);
  }

  /** Mem0: every change of a memory, oldest first. */
  @Get('v1/memories/:id/history')
  @ApiOkResponse({ type: Mem0HistoryEntryDto, isArray: true })
  history(@Param('id', ParseId) id: string): Promise<Mem0HistoryEntryDto[]> {
    return this.mem0.history(id);
  }

  /** Mem0 (users): the user, agent and run ids your memories belong to, with their counts. */
  @Get('v1/entities')
  entities(@Query() query: Mem0PageQueryDto, @Req() req: Request): Promise<Mem0EntitiesDto> {
    return this.mem0.entities(query.page, query.page_size, pageLink(req, query.page_size));
  }

  /** Mem0 (deleteUsers): deletes every memory of a user, agent or run. */
  @Delete('v2/entities/:type/:name')
  deleteEntity(@Param('type') type: string, @Param('name') name: string): Promise<Mem0MessageResponseDto> {
    return this.mem0.removeEntity(type, name);
  }

  /** Mem0: new texts for up to 1,000 memories (all checked before any changes). */
  @Put('v1/batch')
  batchUpdate(@Body() body: Mem0BatchDto): Promise<Mem0MessageResponseDto> {
    return this.mem0.batchUpdate(body);
  }

  /** Mem0: deletes up to 1,000 memories (all checked before any is deleted). */
  @Delete('v1/batch')
  batchDelete(@Body() body: Mem0BatchDto): Promise<Mem0MessageResponseDto> {
    return this.mem0.batchDelete(body);
  }

  /** Mem0: feedback on a memory, which raises or lowers its importance (search boosts by it). */
  @Post('v1/feedback')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: Mem0FeedbackResponseDto })
  feedback(@Body() body: Mem0FeedbackDto): Promise<Mem0FeedbackResponseDto> {
    return this.mem0.feedback(body);
  }
}
