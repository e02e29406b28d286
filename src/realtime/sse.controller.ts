import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AgentsService } from '../agents/agents.service.js';
import { requestCredential } from '../auth/auth.guard.js';
import { Authenticated } from '../auth/decorators.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { SseEventsQueryDto, SseLlmQueryDto } from './dto/sse-query.dto.js';
import { SseHub } from './sse-hub.service.js';

/**
 * Server-Sent Events: live domain events and LLM token streams. Each message has an `id`; a
 * client that reconnects with `Last-Event-ID` gets what it missed (from a short buffer). A
 * comment line every SSE_KEEPALIVE_SECONDS keeps proxies from closing an idle stream.
 */
@ApiTags('realtime')
@Authenticated({ role: 'viewer', queryToken: true })
@Controller('sse')
export class SseController {
  constructor(
    private readonly hub: SseHub,
    private readonly agents: AgentsService,
    private readonly tenant: TenantContext,
  ) {}

  /**
   * Your organization's events as they happen: `memory_update`, `agent_update`, `job_progress`
   * (and `message` for the agent given by `agentId`). The same payloads as over Socket.IO.
   */
  @Get()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An event stream (text/event-stream); events named memory_update, agent_update, job_progress, message',
  })
  @ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
  async events(
    @Query() query: SseEventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (query.agentId && !(await this.agents.exists(query.agentId))) throw CommonError.notFound('agent', query.agentId);
    this.hub.openEvents(res, this.callerOf(req), query.agentId ?? null, lastEventId ?? null);
  }

  /** The chunks of one LLM request, `{request_id, chunk, is_final}`; the stream ends after the final chunk. */
  @Get('llm')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream of {request_id, chunk, is_final} messages' })
  llm(
    @Query() query: SseLlmQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    this.hub.openLlm(res, this.callerOf(req), query.requestId, lastEventId ?? null);
  }

  /** Who opened the stream, and with what credential (checked again while it lasts). */
  private callerOf(req: Request): { organizationId: string; credential: string } {
    return { organizationId: this.tenant.organizationId, credential: requestCredential(req, true) ?? '' };
  }
}
