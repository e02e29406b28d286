import { Injectable } from '@nestjs/common';
import { uuidv7 } from '../../common/ids.js';
import type { SendMessagesDto } from '../../agents/dto/send-messages.dto.js';
import type { Agent } from '../../agents/entities/agent.entity.js';
import { AgentsService } from '../../agents/agents.service.js';
import { AgentLoopService } from '../../agents/loop/agent-loop.service.js';
import type { TurnEvent } from '../../agents/loop/turn-events.js';
import { MessagesService } from '../../agents/messages/messages.service.js';
import type {
  LettaListMessagesQueryDto,
  LettaMessageDto,
  LettaResponseDto,
  LettaSendMessagesDto,
  LettaStopReasonDto,
  LettaTextContentDto,
  LettaUsageDto,
} from './dto/letta-message.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';
import { toLettaMessages } from './letta-mappers.js';
import { pageWindow } from './letta-paging.js';

/** What a Letta stream carries in its `data:` frames. */
export type LettaFrame =
  | LettaMessageDto
  | LettaStopReasonDto
  | LettaUsageDto
  | { message_type: 'error_message'; error_type: string; message: string; run_id: string };

const textOf = (content: string | LettaTextContentDto[]): string =>
  typeof content === 'string' ? content : content.map((part) => part.text).join('');

/** Letta's request as a turn of the agent loop: `messages`, or `input` as one user message. */
export function turnInput(body: LettaSendMessagesDto): SendMessagesDto {
  if ((body.messages === undefined) === (body.input === undefined))
    throw new LettaError(LettaErrorCode.InvalidInput, 'give exactly one of messages or input');
  const messages = body.messages
    ? body.messages.map((m) => ({ role: m.role, content: textOf(m.content) }))
    : [{ role: 'user' as const, content: textOf(body.input!) }];
  const empty = messages.findIndex((m) => m.content.trim() === '');
  if (empty >= 0)
    throw new LettaError(
      LettaErrorCode.InvalidInput,
      body.messages ? `messages.${empty}.content must not be empty` : 'input must not be empty',
    );
  return { messages };
}

/**
 * Turns the loop's events into Letta's: each message the agent stores becomes its Letta
 * messages (the input's echo is left out, as Letta does), then `stop_reason` and
 * `usage_statistics`; a failure becomes an `error_message` and stop reason `error`.
 */
export class LettaTurnTranslator {
  private readonly failedCalls = new Set<string>();
  private usage: LettaUsageDto = {
    message_type: 'usage_statistics',
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    step_count: 0,
  };

  /** With token streaming: the id of the assistant_message chunks of the step being written. */
  private chunkId: string | null = null;

  /** `tokens`: stream the assistant's text as it comes (Letta's stream_tokens). */
  constructor(
    private readonly emit: (frame: LettaFrame) => void,
    private readonly tokens = false,
  ) {}

  readonly sink = (event: TurnEvent): void => {
    switch (event.type) {
      case 'assistant_delta':
        if (!this.tokens) break;
        this.chunkId ??= uuidv7();
        this.emit({
          id: this.chunkId,
          message_type: 'assistant_message',
          date: new Date().toISOString(),
          content: event.text,
          run_id: null,
          sender_id: null,
        });
        break;
      case 'tool_result':
        if (event.status === 'error') this.failedCalls.add(event.toolCallId);
        break;
      case 'message': {
        const m = event.message;
        if (m.role === 'user' || m.role === 'system') break;
        const failed = m.role === 'tool' && this.failedCalls.has(m.toolCallId ?? '');
        const frames = toLettaMessages(m, failed);
        // Streamed as tokens already: the step's text; its tool calls still come whole.
        const rest =
          this.tokens && m.role === 'assistant' ? frames.filter((f) => f.message_type === 'tool_call_message') : frames;
        if (m.role === 'assistant') this.chunkId = null;
        for (const frame of rest) this.emit(frame);
        break;
      }
      case 'usage':
        this.usage = {
          message_type: 'usage_statistics',
          prompt_tokens: event.promptTokens,
          completion_tokens: event.completionTokens,
          total_tokens: event.promptTokens + event.completionTokens,
          step_count: event.steps,
        };
        break;
      case 'done':
        this.emit({ message_type: 'stop_reason', stop_reason: 'end_turn' });
        this.emit(this.usage);
        break;
      case 'error':
        this.emit({ message_type: 'error_message', error_type: event.code, message: event.message, run_id: '' });
        this.emit({ message_type: 'stop_reason', stop_reason: 'error' });
        break;
      default:
        break;
    }
  };
}

/** A turn checked and ready to run. */
export interface PreparedTurn {
  agent: Agent;
  input: SendMessagesDto;
  /** Stream the assistant's text token by token. */
  tokens: boolean;
}

/** Letta's message endpoints onto the agent loop and the conversation log. */
@Injectable()
export class LettaTurnsService {
  constructor(
    private readonly agents: AgentsService,
    private readonly messages: MessagesService,
    private readonly loop: AgentLoopService,
  ) {}

  /** Checks the request, the agent and its model before anything is stored or streamed (400, 404, 503). */
  async prepare(agentId: string, body: LettaSendMessagesDto): Promise<PreparedTurn> {
    const input = turnInput(body);
    return { agent: await this.loop.prepare(agentId), input, tokens: body.stream_tokens === true };
  }

  /** Runs a turn, telling `emit` each Letta frame as it happens. */
  async stream(turn: PreparedTurn, emit: (frame: LettaFrame) => void): Promise<void> {
    const translator = new LettaTurnTranslator(emit, turn.tokens);
    await this.loop.run(turn.agent, turn.input, translator.sink);
  }

  /** Runs a turn and answers with Letta's LettaResponse. */
  async send({ agent, input }: PreparedTurn): Promise<LettaResponseDto> {
    const frames: LettaFrame[] = [];
    const translator = new LettaTurnTranslator((frame) => frames.push(frame));
    await this.loop.run(agent, input, translator.sink);
    const messages = frames.filter((f): f is LettaMessageDto => 'id' in f);
    const usage = frames.find((f): f is LettaUsageDto => f.message_type === 'usage_statistics')!;
    return { messages, stop_reason: { message_type: 'stop_reason', stop_reason: 'end_turn' }, usage };
  }

  async list(agentId: string, query: LettaListMessagesQueryDto): Promise<LettaMessageDto[]> {
    await this.agents.find(agentId);
    const page = await this.messages.window(agentId, pageWindow(query, 'desc'));
    return page.flatMap((m) => toLettaMessages(m));
  }
}
