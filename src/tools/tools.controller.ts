import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { CreateToolDto } from './dto/create-tool.dto.js';
import { ListToolRunsQueryDto } from './dto/list-tool-runs-query.dto.js';
import { ListToolsQueryDto } from './dto/list-tools-query.dto.js';
import { RunToolDto } from './dto/run-tool.dto.js';
import { ToolPageResponseDto, ToolResponseDto } from './dto/tool-response.dto.js';
import { ToolRunPageResponseDto, ToolRunResultDto } from './dto/tool-run-response.dto.js';
import { UpdateToolDto } from './dto/update-tool.dto.js';
import { ToolsService } from './tools.service.js';

/** The tool registry and sandboxed runs. Attach tools to agents with PATCH /agents/:id/tools/attach/:toolId. */
@ApiTags('tools')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@Controller('tools')
export class ToolsController {
  constructor(private readonly tools: ToolsService) {}

  /** Registers a tool; its parameters are checked as a JSON Schema and its source is compiled (not run). */
  @Post()
  @ApiConflictResponse({ description: 'The organization has a tool of that name', type: ErrorResponseDto })
  create(@Body() body: CreateToolDto): Promise<ToolResponseDto> {
    return this.tools.create(body);
  }

  /** The organization's tools, oldest first, a page at a time (optionally by tag or name). */
  @Get()
  list(@Query() query: ListToolsQueryDto): Promise<ToolPageResponseDto> {
    return this.tools.list(query);
  }

  /** One tool with its source and parameters. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string): Promise<ToolResponseDto> {
    return this.tools.get(id);
  }

  /** Changes a tool; new source is compiled (not run) and new parameters checked as a JSON Schema. */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'The organization has a tool of the new name', type: ErrorResponseDto })
  update(@Param('id', ParseId) id: string, @Body() body: UpdateToolDto): Promise<ToolResponseDto> {
    return this.tools.update(id, body);
  }

  /** Deletes the tool and its run records; agents holding it lose it. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.tools.remove(id);
  }

  /**
   * Runs the tool in a fresh V8 isolate with its limits. The answer is 200 whatever the tool did
   * (`status` ok, error or timeout); wrong arguments are a 400 before anything runs.
   */
  @Post(':id/run')
  @HttpCode(HttpStatus.OK)
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  @ApiTooManyRequestsResponse({
    description: 'Every sandbox is busy and the queue is full (TOOLS_QUEUE_MAX)',
    type: ErrorResponseDto,
  })
  run(@Param('id', ParseId) id: string, @Body() body: RunToolDto): Promise<ToolRunResultDto> {
    return this.tools.run(id, body.args ?? {});
  }

  /** The tool's runs, newest first. */
  @Get(':id/runs')
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  runs(@Param('id', ParseId) id: string, @Query() query: ListToolRunsQueryDto): Promise<ToolRunPageResponseDto> {
    return this.tools.runs(id, query);
  }
}
