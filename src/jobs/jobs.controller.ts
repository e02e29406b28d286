import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../auth/decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { JobResponseDto } from './dto/job-response.dto.js';
import { JobsService } from './jobs.service.js';

@ApiTags('jobs')
@Authenticated({ role: 'viewer' })
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

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
