import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import {
  LettaBlockDto,
  LettaCreateBlockDto,
  LettaListBlocksQueryDto,
  LettaUpdateBlockDto,
} from './dto/letta-block.dto.js';
import { LettaAgentDto } from './dto/letta-agent.dto.js';
import { LettaPageQueryDto } from './dto/letta-page-query.dto.js';
import { LettaAgentsService } from './letta-agents.service.js';
import { LettaBlocksService } from './letta-blocks.service.js';

/** Letta's blocks (`client.blocks`): core memory blocks that several agents may share. */
@ApiTags('letta')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@Controller('v1/blocks')
export class LettaBlocksController {
  constructor(
    private readonly blocks: LettaBlocksService,
    private readonly lettaAgents: LettaAgentsService,
  ) {}

  /** Letta: creates a block attached to no agent yet. */
  @Post()
  create(@Body() body: LettaCreateBlockDto): Promise<LettaBlockDto> {
    return this.blocks.create(body);
  }

  /** Letta: the organization's blocks as an array, oldest first by default, paged by `after`/`before` and `limit`. */
  @Get()
  list(@Query() query: LettaListBlocksQueryDto): Promise<LettaBlockDto[]> {
    return this.blocks.list(query);
  }

  /** Letta: one block. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such block in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string): Promise<LettaBlockDto> {
    return this.blocks.get(id);
  }

  /** Letta: the agents the block is attached to, oldest first by default, paged by `after`/`before` and `limit`. */
  @Get(':id/agents')
  @ApiNotFoundResponse({ description: 'No such block in your organization', type: ErrorResponseDto })
  agentsOf(@Param('id', ParseId) id: string, @Query() query: LettaPageQueryDto): Promise<LettaAgentDto[]> {
    return this.lettaAgents.agentsOfBlock(id, query);
  }

  /** Letta: changes a block; every agent it is attached to sees the change. */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such block in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The new label is taken on an agent it is attached to', type: ErrorResponseDto })
  update(@Param('id', ParseId) id: string, @Body() body: LettaUpdateBlockDto): Promise<LettaBlockDto> {
    return this.blocks.update(id, body);
  }

  /** Letta: deletes the block, detaching it from every agent. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such block in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.blocks.remove(id);
  }
}
