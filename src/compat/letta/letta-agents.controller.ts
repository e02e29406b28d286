import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import {
  LettaAgentDto,
  LettaCreateAgentDto,
  LettaGetAgentQueryDto,
  LettaListAgentsQueryDto,
  LettaUpdateAgentDto,
} from './dto/letta-agent.dto.js';
import { LettaBlockDto, LettaUpdateBlockDto } from './dto/letta-block.dto.js';
import { LettaPageQueryDto } from './dto/letta-page-query.dto.js';
import { LettaToolDto } from './dto/letta-tool.dto.js';
import { LettaAgentsService } from './letta-agents.service.js';
import {
  LettaExportAgentQueryDto,
  LettaImportAgentDto,
  LettaImportAgentResponseDto,
} from './dto/letta-agent-file.dto.js';
import { LettaAgentFileService } from './letta-agent-file.service.js';
import type { AgentFile } from './letta-agent-file.js';

/** The part of multer's file this route reads (multer keeps uploads in memory by default). */
interface UploadedAgentFile {
  buffer: Buffer;
}

/** The largest agent file an import takes (a long conversation is most of it). */
const AGENT_FILE_BYTES = 32 * 1024 * 1024;

/** Letta's agents, their core memory blocks and tools (`@letta-ai/letta-client`'s `agents`, `agents.blocks`, `agents.tools`). */
@ApiTags('letta')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@Controller('v1/agents')
export class LettaAgentsController {
  constructor(
    private readonly agents: LettaAgentsService,
    private readonly agentFiles: LettaAgentFileService,
  ) {}

  /**
   * Letta: makes the agents of an agent file (`.af`, as Letta's export writes it): their blocks,
   * JavaScript tools (an organization's tool of the same name is reused) and conversations. All
   * or nothing; Letta's own tools are skipped (AgentMem's memory tools replace them), Python
   * tools refused, and a model this server cannot run becomes its default model.
   */
  @Post('import')
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: AGENT_FILE_BYTES, files: 1 } }))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'The agent file (JSON).' },
        name: { type: 'string', description: "The agent's name instead of the file's." },
        model: { type: 'string', description: 'A model handle ("provider/model") instead of the file\'s.' },
        strip_messages: { type: 'string', enum: ['true', 'false'], description: 'Import without the conversation.' },
        override_existing_tools: {
          type: 'string',
          enum: ['true', 'false'],
          description: "Replace the source of the organization's tools named as the file's.",
        },
      },
    },
  })
  @ApiOkResponse({ type: LettaImportAgentResponseDto })
  @ApiPayloadTooLargeResponse({ description: 'The file is over 32 MB', type: ErrorResponseDto })
  import(
    @UploadedFile() file: UploadedAgentFile | undefined,
    @Body() body: LettaImportAgentDto,
  ): Promise<LettaImportAgentResponseDto> {
    return this.agentFiles.import(file?.buffer, body);
  }

  /** Letta: the agent as an agent file (`.af`): its blocks, tools, model and conversation (unless scrubbed). */
  @Get(':id/export')
  @ApiOkResponse({ description: 'The agent file (JSON)', schema: { type: 'object', additionalProperties: true } })
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  export(@Param('id', ParseId) id: string, @Query() query: LettaExportAgentQueryDto): Promise<AgentFile> {
    return this.agentFiles.export(id, query.scrub_messages === 'true');
  }

  /** Letta: creates an agent with its memory blocks (new or existing), tools, model, tags and metadata. */
  @Post()
  @ApiNotFoundResponse({ description: 'A block of block_ids is not in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'Two blocks of the agent have the same label', type: ErrorResponseDto })
  create(@Body() body: LettaCreateAgentDto): Promise<LettaAgentDto> {
    return this.agents.create(body);
  }

  /** Letta: the organization's agents as an array, newest first by default, paged by `after`/`before` and `limit`. */
  @Get()
  list(@Query() query: LettaListAgentsQueryDto): Promise<LettaAgentDto[]> {
    return this.agents.list(query);
  }

  /** Letta: one agent with its blocks and tools. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string, @Query() _query: LettaGetAgentQueryDto): Promise<LettaAgentDto> {
    return this.agents.get(id);
  }

  /** Letta: changes an agent (name, description, system, model, blocks, tools, tags, metadata). */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such agent (or block) in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({
    description: 'A block of block_ids has a label the agent already has',
    type: ErrorResponseDto,
  })
  update(@Param('id', ParseId) id: string, @Body() body: LettaUpdateAgentDto): Promise<LettaAgentDto> {
    return this.agents.update(id, body);
  }

  /** Letta: deletes the agent and its messages; its blocks and memories are kept. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.agents.remove(id);
  }

  /** Letta: the agent's core memory blocks, in prompt order, paged by `after`/`before` and `limit`. */
  @Get(':id/core-memory/blocks')
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  blocks(@Param('id', ParseId) id: string, @Query() query: LettaPageQueryDto): Promise<LettaBlockDto[]> {
    return this.agents.blocksOf(id, query);
  }

  /** Letta: the agent's block of that label. */
  @Get(':id/core-memory/blocks/:label')
  @ApiNotFoundResponse({ description: 'No such agent, or it has no block of that label', type: ErrorResponseDto })
  block(@Param('id', ParseId) id: string, @Param('label') label: string): Promise<LettaBlockDto> {
    return this.agents.block(id, label);
  }

  /** Letta: edits the agent's block of that label (every agent sharing it sees the change). */
  @Patch(':id/core-memory/blocks/:label')
  @ApiNotFoundResponse({ description: 'No such agent, or it has no block of that label', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The new label is taken', type: ErrorResponseDto })
  updateBlock(
    @Param('id', ParseId) id: string,
    @Param('label') label: string,
    @Body() body: LettaUpdateBlockDto,
  ): Promise<LettaBlockDto> {
    return this.agents.updateBlock(id, label, body);
  }

  /** Letta: attaches an existing (shared) block to the agent. */
  @Patch(':id/core-memory/blocks/attach/:blockId')
  @ApiNotFoundResponse({ description: 'No such agent or block in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The agent already has a block of that label', type: ErrorResponseDto })
  attachBlock(@Param('id', ParseId) id: string, @Param('blockId', ParseId) blockId: string): Promise<LettaAgentDto> {
    return this.agents.attachBlock(id, blockId);
  }

  /** Letta: detaches a block from the agent; the block is kept. */
  @Patch(':id/core-memory/blocks/detach/:blockId')
  @ApiNotFoundResponse({ description: 'No such agent, or the block is not attached to it', type: ErrorResponseDto })
  detachBlock(@Param('id', ParseId) id: string, @Param('blockId', ParseId) blockId: string): Promise<LettaAgentDto> {
    return this.agents.detachBlock(id, blockId);
  }

  /** Letta: the agent's tools (besides AgentMem's built-in memory tools), in attachment order, paged by `after`/`before` and `limit`. */
  @Get(':id/tools')
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  tools(@Param('id', ParseId) id: string, @Query() query: LettaPageQueryDto): Promise<LettaToolDto[]> {
    return this.agents.toolsOf(id, query);
  }

  /** Letta: offers a tool of the registry to the agent's model. */
  @Patch(':id/tools/attach/:toolId')
  @ApiNotFoundResponse({ description: 'No such agent or tool in your organization', type: ErrorResponseDto })
  attachTool(@Param('id', ParseId) id: string, @Param('toolId', ParseId) toolId: string): Promise<LettaAgentDto> {
    return this.agents.attachTool(id, toolId);
  }

  /** Letta: takes a tool away from the agent; the tool stays in the registry. */
  @Patch(':id/tools/detach/:toolId')
  @ApiNotFoundResponse({ description: 'No such agent, or the tool is not attached to it', type: ErrorResponseDto })
  detachTool(@Param('id', ParseId) id: string, @Param('toolId', ParseId) toolId: string): Promise<LettaAgentDto> {
    return this.agents.detachTool(id, toolId);
  }
}
