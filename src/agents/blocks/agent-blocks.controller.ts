import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import { AgentsService } from '../agents.service.js';
import { BlocksService } from './blocks.service.js';
import { BlockResponseDto } from './dto/block-response.dto.js';
import { CreateBlockDto } from './dto/create-block.dto.js';
import { UpdateBlockDto } from './dto/update-block.dto.js';

/** An agent's core memory blocks, by label. */
@ApiTags('blocks')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input (a value over its limit says the limit)', type: ErrorResponseDto })
@ApiNotFoundResponse({ description: 'No such agent (or block) in your organization', type: ErrorResponseDto })
@Controller('agents/:id/blocks')
export class AgentBlocksController {
  constructor(
    private readonly agents: AgentsService,
    private readonly blocks: BlocksService,
  ) {}

  /** The blocks attached to the agent (its core memory), in the order they were attached. */
  @Get()
  async list(@Param('id', ParseId) id: string): Promise<BlockResponseDto[]> {
    await this.agents.find(id);
    return this.blocks.ofAgent(id);
  }

  /** Creates a block and attaches it to the agent. */
  @Post()
  @ApiConflictResponse({ description: 'The agent already has a block of that label', type: ErrorResponseDto })
  async create(@Param('id', ParseId) id: string, @Body() body: CreateBlockDto): Promise<BlockResponseDto> {
    await this.agents.find(id);
    return this.blocks.createForAgent(id, body);
  }

  /** The agent's block of that label. */
  @Get(':label')
  async get(@Param('id', ParseId) id: string, @Param('label') label: string): Promise<BlockResponseDto> {
    await this.agents.find(id);
    return this.blocks.ofAgentByLabel(id, label);
  }

  /** Edits the block (read-only blocks too: the flag binds the agent, not the API). */
  @Patch(':label')
  @ApiConflictResponse({ description: 'The new label is taken', type: ErrorResponseDto })
  async update(
    @Param('id', ParseId) id: string,
    @Param('label') label: string,
    @Body() body: UpdateBlockDto,
  ): Promise<BlockResponseDto> {
    await this.agents.find(id);
    return this.blocks.updateOfAgent(id, label, body);
  }
}
