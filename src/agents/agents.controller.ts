import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { ToolResponseDto } from '../tools/dto/tool-response.dto.js';
import { AgentsService } from './agents.service.js';
import { AgentPageResponseDto, AgentResponseDto } from './dto/agent-response.dto.js';
import { CreateAgentDto } from './dto/create-agent.dto.js';
import { UpdateAgentDto } from './dto/update-agent.dto.js';

@ApiTags('agents')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  /** Creates an agent: its system prompt, model settings, tools, and the blocks it starts with (new or existing). */
  @Post()
  create(@Body() body: CreateAgentDto): Promise<AgentResponseDto> {
    return this.agents.create(body);
  }

  /** The organization's agents, oldest first, a page at a time. */
  @Get()
  list(@Query() query: PageQueryDto): Promise<AgentPageResponseDto> {
    return this.agents.list(query.limit, query.cursor);
  }

  /** One agent with its blocks. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string): Promise<AgentResponseDto> {
    return this.agents.get(id);
  }

  /** Changes an agent: its name, description, system prompt, model settings, tools or metadata. */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  update(@Param('id', ParseId) id: string, @Body() body: UpdateAgentDto): Promise<AgentResponseDto> {
    return this.agents.update(id, body);
  }

  /** Attaches an existing block to the agent (a block can be shared by several agents). */
  @Patch(':id/blocks/attach/:blockId')
  @ApiNotFoundResponse({ description: 'No such agent or block in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The agent already has a block of that label', type: ErrorResponseDto })
  attachBlock(@Param('id', ParseId) id: string, @Param('blockId', ParseId) blockId: string): Promise<AgentResponseDto> {
    return this.agents.attachBlock(id, blockId);
  }

  /** Detaches a block from the agent; the block itself is kept. */
  @Patch(':id/blocks/detach/:blockId')
  @ApiNotFoundResponse({ description: 'No such agent, or the block is not attached to it', type: ErrorResponseDto })
  detachBlock(@Param('id', ParseId) id: string, @Param('blockId', ParseId) blockId: string): Promise<AgentResponseDto> {
    return this.agents.detachBlock(id, blockId);
  }

  /** The agent's own tools (besides the built-in memory tools), in the order they were attached. */
  @Get(':id/tools')
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  listTools(@Param('id', ParseId) id: string): Promise<ToolResponseDto[]> {
    return this.agents.listTools(id);
  }

  /** Offers a tool of the registry to the agent's model (no change if it already has it). */
  @Patch(':id/tools/attach/:toolId')
  @ApiNotFoundResponse({ description: 'No such agent or tool in your organization', type: ErrorResponseDto })
  attachTool(@Param('id', ParseId) id: string, @Param('toolId', ParseId) toolId: string): Promise<AgentResponseDto> {
    return this.agents.attachTool(id, toolId);
  }

  /** Takes a tool away from the agent's model; the tool stays in the registry. */
  @Patch(':id/tools/detach/:toolId')
  @ApiNotFoundResponse({ description: 'No such agent, or the tool is not attached to it', type: ErrorResponseDto })
  detachTool(@Param('id', ParseId) id: string, @Param('toolId', ParseId) toolId: string): Promise<AgentResponseDto> {
    return this.agents.detachTool(id, toolId);
  }

  /** Deletes the agent and its messages; its blocks are detached and kept. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.agents.remove(id);
  }
}
