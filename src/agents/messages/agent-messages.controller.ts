import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../../auth/decorators.js';
import { ErrorResponseDto } from '../../common/errors/error-response.dto.js';
import { ParseId } from '../../common/id-param.js';
import { AgentsService } from '../agents.service.js';
import { SendMessagesDto } from '../dto/send-messages.dto.js';
import { TurnResponseDto } from '../dto/turn-response.dto.js';
import { AgentLoopService } from '../loop/agent-loop.service.js';
import type { TurnEvent } from '../loop/turn-events.js';
import { ListMessagesQueryDto } from './dto/list-messages-query.dto.js';
import { MessagePageResponseDto } from './dto/message-response.dto.js';
import { MessagesService } from './messages.service.js';

/** An agent's conversation log, and turns of the agent loop. */
@ApiTags('messages')
@Authenticated()
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
@Controller('agents/:id/messages')
export class AgentMessagesController {
  constructor(
    private readonly agents: AgentsService,
    private readonly messages: MessagesService,
    private readonly loop: AgentLoopService,
  ) {}

  /** The conversation log, oldest first (or `order=desc`), filtered by user or run. */
  @Get()
  async list(@Param('id', ParseId) id: string, @Query() query: ListMessagesQueryDto): Promise<MessagePageResponseDto> {
    await this.agents.find(id);
    return this.messages.list(id, query);
  }

  /**
   * One turn: stores the messages, runs the agent (memory tools and its own tools, at most
   * maxSteps rounds) and answers with the new messages and the token usage. With
   * `stream: true` the answer is a Server-Sent Events stream of the turn's events
   * (`assistant_delta`, `tool_call`, `tool_result`, `message`, `usage`, then `done` or `error`);
   * the same events reach `GET /sse/llm?requestId=` and the agent's Socket.IO room.
   */
  @Post()
  @ApiOkResponse({ type: TurnResponseDto })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiConflictResponse({
    description: 'Another turn of this agent with this user did not finish within AGENT_TURN_WAIT_MS',
    type: ErrorResponseDto,
  })
  @ApiServiceUnavailableResponse({ description: 'No LLM is configured for this agent', type: ErrorResponseDto })
  async send(@Param('id', ParseId) id: string, @Body() body: SendMessagesDto, @Res() res: Response): Promise<void> {
    const agent = await this.loop.prepare(id);
    if (body.stream) return this.streamTurn(agent, body, res);
    res.status(HttpStatus.OK).json(await this.loop.run(agent, body));
  }

  /** The same as POST …/messages with `stream: true`. */
  @Post('stream')
  @ApiProduces('text/event-stream')
  @ApiServiceUnavailableResponse({ description: 'No LLM is configured for this agent', type: ErrorResponseDto })
  async stream(@Param('id', ParseId) id: string, @Body() body: SendMessagesDto, @Res() res: Response): Promise<void> {
    return this.streamTurn(await this.loop.prepare(id), body, res);
  }

  /** Errors before the stream starts are ordinary JSON errors; after it, an `error` event ends it. */
  private async streamTurn(
    agent: Awaited<ReturnType<AgentLoopService['prepare']>>,
    body: SendMessagesDto,
    res: Response,
  ): Promise<void> {
    res.status(HttpStatus.OK);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let sequence = 0;
    const write = (event: TurnEvent): void => {
      if (!res.writableEnded) res.write(`id: ${++sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    try {
      await this.loop.run(agent, body, write);
    } catch {
      // The loop already sent the `error` event (and logged what was unexpected).
    } finally {
      res.end();
    }
  }
}
