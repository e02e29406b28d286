import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import {
  LettaCreatePassageDto,
  LettaListPassagesQueryDto,
  LettaPassageDto,
  LettaSearchPassagesQueryDto,
  LettaSearchResponseDto,
} from './dto/letta-passage.dto.js';
import { LettaArchivalService } from './letta-archival.service.js';

/** Letta's archival memory (`client.agents.passages`): the agent's memories (scope agentId = the agent's id). */
@ApiTags('letta')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@ApiNotFoundResponse({ description: 'No such agent (or passage) in your organization', type: ErrorResponseDto })
@Controller('v1/agents/:id/archival-memory')
export class LettaArchivalController {
  constructor(private readonly archival: LettaArchivalService) {}

  /** Letta: stores a passage in the agent's archival memory (as given, no extraction); answers the passages stored. */
  @Post()
  create(@Param('id', ParseId) id: string, @Body() body: LettaCreatePassageDto): Promise<LettaPassageDto[]> {
    return this.archival.create(id, body);
  }

  /** Letta: the agent's passages, oldest first, paged by `after` and `limit` (or found by `search`). */
  @Get()
  list(@Param('id', ParseId) id: string, @Query() query: LettaListPassagesQueryDto): Promise<LettaPassageDto[]> {
    return this.archival.list(id, query);
  }

  /** Letta: searches the agent's passages (AgentMem's hybrid search), optionally by tags and time. */
  @Get('search')
  search(
    @Param('id', ParseId) id: string,
    @Query() query: LettaSearchPassagesQueryDto,
  ): Promise<LettaSearchResponseDto> {
    return this.archival.search(id, query);
  }

  /** Letta: deletes one passage of the agent. */
  @Delete(':memoryId')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', ParseId) id: string, @Param('memoryId', ParseId) memoryId: string): Promise<void> {
    return this.archival.remove(id, memoryId);
  }
}
