import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiExtraModels,
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
import {
  LettaListMessagesQueryDto,
  LettaMessageDto,
  LettaResponseDto,
  LettaSendMessagesDto,
  LettaTextContentDto,
} from './dto/letta-message.dto.js';
import { LettaTurnsService } from './letta-turns.service.js';
import type { LettaFrame, PreparedTurn } from './letta-turns.service.js';

/** Letta's messages (`client.agents.messages`): turns of AgentMem's agent loop, and the conversation log. */
@ApiTags('letta')
@Authenticated()
@ApiExtraModels(LettaTextContentDto)
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@ApiNotFoundResponse({ description: 'No such agent in your organization', type: ErrorResponseDto })
@Controller('v1/agents/:id/messages')
export class LettaMessagesController {
  constructor(private readonly turns: LettaTurnsService) {}

  /** Letta: the conversation log as Letta messages, newest first by default, paged by `after`/`before` and `limit` (`limit` counts stored messages; a tool-calling one reads as several Letta messages of its id). */
  @Get()
  list(@Param('id', ParseId) id: string, @Query() query: LettaListMessagesQueryDto): Promise<LettaMessageDto[]> {
    return this.turns.list(id, query);
  }

  /**
   * Letta: one turn of the agent; answers a LettaResponse (the agent's new messages, stop reason,
   * usage), or with `streaming: true` the Server-Sent Events of …/messages/stream.
   */
  @Post()
  @ApiOkResponse({ type: LettaResponseDto })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiConflictResponse({ description: 'Another turn of this agent did not finish in time', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ description: 'No LLM is configured for this agent', type: ErrorResponseDto })
  async send(
    @Param('id', ParseId) id: string,
    @Body() body: LettaSendMessagesDto,
    @Res() res: Response,
  ): Promise<void> {
    const turn = await this.turns.prepare(id, body);
    if (body.streaming) return this.streamTurn(turn, res);
    res.status(HttpStatus.OK).json(await this.turns.send(turn));
  }

  /**
   * Letta: one turn as Server-Sent Events: `data: {json}` frames with `message_type`
   * reasoning_message, tool_call_message, tool_return_message, assistant_message, then
   * stop_reason and usage_statistics (error_message and stop reason error if it fails), then `data: [DONE]`.
   */
  @Post('stream')
  @ApiOkResponse({ description: 'A text/event-stream of Letta messages' })
  @ApiProduces('text/event-stream')
  @ApiConflictResponse({ description: 'Another turn of this agent did not finish in time', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ description: 'No LLM is configured for this agent', type: ErrorResponseDto })
  async stream(
    @Param('id', ParseId) id: string,
    @Body() body: LettaSendMessagesDto,
    @Res() res: Response,
  ): Promise<void> {
    return this.streamTurn(await this.turns.prepare(id, body), res);
  }

  /** Errors before the stream starts are ordinary JSON errors; after it, an error_message frame ends it. */
  private async streamTurn(turn: PreparedTurn, res: Response): Promise<void> {
    res.status(HttpStatus.OK);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const write = (frame: LettaFrame | '[DONE]'): void => {
      if (!res.writableEnded) res.write(`data: ${typeof frame === 'string' ? frame : JSON.stringify(frame)}\n\n`);
    };
    try {
      await this.turns.stream(turn, write);
    } catch {
      // The translator already sent the error_message and stop reason (the loop logged what was unexpected).
    } finally {
      write('[DONE]');
      res.end();
    }
  }
}
