import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import { LettaCreateToolDto, LettaListToolsQueryDto, LettaToolDto, LettaUpdateToolDto } from './dto/letta-tool.dto.js';
import { LettaToolsService } from './letta-tools.service.js';

/** Letta's tools (`client.tools`): JavaScript tools of the registry, run in AgentMem's sandbox (Python is refused). */
@ApiTags('letta')
@Authenticated()
@ApiBadRequestResponse({
  description: 'Invalid input (Python source or source_type is refused); the message names the field',
  type: ErrorResponseDto,
})
@Controller('v1/tools')
export class LettaToolsController {
  constructor(private readonly tools: LettaToolsService) {}

  /** Letta: creates a JavaScript tool; its name and parameters come from `json_schema`. */
  @Post()
  @ApiConflictResponse({ description: 'A tool of that name exists', type: ErrorResponseDto })
  create(@Body() body: LettaCreateToolDto): Promise<LettaToolDto> {
    return this.tools.create(body);
  }

  /** Letta: the organization's tools as an array, oldest first by default, paged by `after`/`before` and `limit`. */
  @Get()
  list(@Query() query: LettaListToolsQueryDto): Promise<LettaToolDto[]> {
    return this.tools.list(query);
  }

  /** Letta: one tool. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string): Promise<LettaToolDto> {
    return this.tools.get(id);
  }

  /** Letta: changes a tool (source, schema, description, tags, metadata). */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'A tool of the new name exists', type: ErrorResponseDto })
  update(@Param('id', ParseId) id: string, @Body() body: LettaUpdateToolDto): Promise<LettaToolDto> {
    return this.tools.update(id, body);
  }

  /** Letta: deletes the tool and detaches it from every agent. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such tool in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.tools.remove(id);
  }
}
