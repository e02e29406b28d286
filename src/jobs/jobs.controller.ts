import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../auth/decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { mapPage } from '../common/pagination/page.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { JobPageResponseDto, JobResponseDto } from './dto/job-response.dto.js';
import { JobsService } from './jobs.service.js';

@ApiTags('jobs')
@Authenticated({ role: 'viewer' })
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /**
   * Your organization's recent jobs (those GET /jobs/{id} shows: imports, exports, async adds,
   * re-embeddings), newest first, each as it stands now. Jobs past their retention (a day after
   * completing, a week after failing) are gone from the list.
   */
  @Get()
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor', type: ErrorResponseDto })
  async list(@Query() query: PageQueryDto): Promise<JobPageResponseDto> {
    return mapPage(await this.jobs.list(query.limit, query.cursor), JobResponseDto.from);
  }

  /** A job of your organization: state, progress, result or error, attempts. */
  @Get(':id')
  @ApiNotFoundResponse({
    description: 'No such job in your organization (or it was removed after its retention)',
    type: ErrorResponseDto,
  })
  async get(@Param('id', ParseId) id: string): Promise<JobResponseDto> {
    return JobResponseDto.from(await this.jobs.find(id));
  }

  /** The file a finished job produced (an export's JSON Lines). */
  @Get(':id/result')
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'The result file' })
  @ApiNotFoundResponse({ description: 'No such job, or it produced no file (yet)', type: ErrorResponseDto })
  async result(@Param('id', ParseId) id: string, @Res() res: Response): Promise<void> {
    const stored = await this.jobs.result(id);
    res.setHeader('Content-Type', stored.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="agentmem-${id}.jsonl"`);
    res.send(stored.body);
  }
}
