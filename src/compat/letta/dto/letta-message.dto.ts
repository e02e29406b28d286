import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { IgnoredField, NullAsMissing } from '../letta-validation.js';
import { LettaPageQueryDto } from './letta-page-query.dto.js';

const MAX_TEXT = 100000;

/** A text part of a message's content. */
export class LettaTextContentDto {
  /** Only text: images and other parts are refused. */
  @ApiProperty({ enum: ['text'] })
  type: 'text';
  text: string;
}

/** Whether a value is what Letta's `content` may be and AgentMem can take: a string, or text parts. */
export function isTextContent(value: unknown): boolean {
  if (typeof value === 'string') return value.length >= 1 && value.length <= MAX_TEXT;
  return (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= 100 &&
    value.every(
      (part: unknown) =>
        typeof part === 'object' &&
        part !== null &&
        (part as { type?: unknown }).type === 'text' &&
        typeof (part as { text?: unknown }).text === 'string' &&
        (part as { text: string }).text.length <= MAX_TEXT,
    )
  );
}

const IsTextContent = () =>
  ValidateBy({
    name: 'isTextContent',
    validator: {
      validate: isTextContent,
      defaultMessage: (args) =>
        `${args?.property ?? 'content'} must be a non-empty string (at most ${MAX_TEXT} characters) or an array of {type: "text", text} parts: AgentMem agents take text only`,
    },
  });

/** One input message (Letta's MessageCreate). */
export class LettaMessageCreateDto {
  /** user, or system for an instruction for this turn (assistant messages cannot be sent). */
  @ApiProperty({ enum: ['user', 'system'] })
  @IsIn(['user', 'system'], {
    message: 'role must be user or system (approvals, tool returns and assistant messages are not supported)',
  })
  role: 'user' | 'system';

  /** A string, or text parts. */
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { $ref: '#/components/schemas/LettaTextContentDto' } }],
  })
  @IsTextContent()
  content: string | LettaTextContentDto[];

  @IgnoredField('the sender is not recorded')
  name?: unknown;
  @IgnoredField('the sender is not recorded')
  sender_id?: unknown;
  @IgnoredField('messages get ids of their own')
  otid?: unknown;
  @IgnoredField('batches are not supported')
  batch_item_id?: unknown;
  @IgnoredField('groups are not supported')
  group_id?: unknown;
  @IgnoredField('every input is a message')
  type?: unknown;
}

/** Options of Letta's message endpoints that AgentMem does not have. */
class LettaTurnExtrasDto {
  @IgnoredField('no keep-alive pings are sent')
  include_pings?: unknown;
  @IgnoredField('turns run in the request')
  background?: unknown;
  @IgnoredField("the agent's own maxSteps (AGENT_MAX_STEPS) applies")
  max_steps?: unknown;
  @IgnoredField('replies are always assistant_message')
  use_assistant_message?: unknown;
  @IgnoredField('replies are always assistant_message')
  assistant_message_tool_name?: unknown;
  @IgnoredField('replies are always assistant_message')
  assistant_message_tool_kwarg?: unknown;
  @IgnoredField('every message type is returned')
  include_return_message_types?: unknown;
  @IgnoredField('the model is not asked for reasoning')
  enable_thinking?: unknown;
  @IgnoredField("the agent's model and system prompt apply")
  override_model?: unknown;
  @IgnoredField("the agent's model and system prompt apply")
  override_system?: unknown;
  @IgnoredField('client-side tools are not supported')
  client_tools?: unknown;
  @IgnoredField('client-side skills are not supported')
  client_skills?: unknown;
  @IgnoredField('log probabilities are not returned')
  return_logprobs?: unknown;
  @IgnoredField('log probabilities are not returned')
  top_logprobs?: unknown;
  @IgnoredField('token ids are not returned')
  return_token_ids?: unknown;
  @IgnoredField('there is no compaction')
  include_compaction_messages?: unknown;
}

/** One turn (Letta's LettaRequest): `messages`, or `input` as one user message. */
export class LettaSendMessagesDto extends LettaTurnExtrasDto {
  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => LettaMessageCreateDto)
  messages?: LettaMessageCreateDto[];

  /** A user message, as a string or text parts (instead of `messages`). */
  @ApiProperty({
    required: false,
    oneOf: [{ type: 'string' }, { type: 'array', items: { $ref: '#/components/schemas/LettaTextContentDto' } }],
  })
  @NullAsMissing()
  @IsOptional()
  @IsTextContent()
  input?: string | LettaTextContentDto[];

  /**
   * Streams only: the assistant's text as it is written, in assistant_message chunks that share
   * one id per step (not the stored message's id); tool calls and returns still come whole.
   */
  @NullAsMissing()
  @IsOptional()
  @IsBoolean()
  stream_tokens?: boolean;

  /** POST …/messages only: answer with a Server-Sent Events stream (as …/messages/stream). */
  @NullAsMissing()
  @IsOptional()
  @IsBoolean()
  streaming?: boolean;
}

/** GET …/messages: the conversation log, a page at a time (newest first by default). */
export class LettaListMessagesQueryDto extends LettaPageQueryDto {
  @IgnoredField('replies are always assistant_message')
  use_assistant_message?: unknown;
  @IgnoredField('replies are always assistant_message')
  assistant_message_tool_name?: unknown;
  @IgnoredField('replies are always assistant_message')
  assistant_message_tool_kwarg?: unknown;
  @IgnoredField('every message type is returned')
  include_return_message_types?: unknown;
  @IgnoredField('failed turns store no messages')
  include_err?: unknown;
  @IgnoredField('an agent has one conversation')
  conversation_id?: unknown;
  @IgnoredField('groups are not supported')
  group_id?: unknown;
}

/** A tool call as Letta's messages carry it. */
export class LettaToolCallDto {
  name: string;
  /** The arguments, as JSON text. */
  arguments: string;
  tool_call_id: string;
}

export const LETTA_MESSAGE_TYPES = [
  'system_message',
  'user_message',
  'reasoning_message',
  'assistant_message',
  'tool_call_message',
  'tool_return_message',
] as const;
export type LettaMessageType = (typeof LETTA_MESSAGE_TYPES)[number];

/**
 * A message as Letta's clients read it: its `message_type` says which fields it has. An
 * assistant message of AgentMem's log that called tools is a reasoning_message (its text, if
 * any) and one tool_call_message per call; one without calls is an assistant_message.
 */
export class LettaMessageDto {
  /** The id of the stored message (shared by the parts of one assistant message). */
  id: string;
  @ApiProperty({ enum: LETTA_MESSAGE_TYPES })
  message_type: LettaMessageType;
  /** When it was stored (ISO 8601). */
  date: string;
  /** system_message, user_message, assistant_message. */
  content?: string;
  /** reasoning_message. */
  reasoning?: string;
  /** tool_call_message. */
  tool_call?: LettaToolCallDto;
  /** tool_call_message: the same call, as a list. */
  tool_calls?: LettaToolCallDto[];
  /** tool_return_message: the tool's result as JSON text. */
  tool_return?: string;
  /** tool_return_message. */
  @ApiProperty({ enum: ['success', 'error'], required: false })
  status?: 'success' | 'error';
  /** tool_return_message: the call it answers. */
  tool_call_id?: string;
  /** tool_return_message: the tool's name. */
  name?: string | null;
  /** The turn that wrote it. */
  run_id: string | null;
  /** The end user of the conversation, if any. */
  sender_id: string | null;
}

export class LettaStopReasonDto {
  @ApiProperty({ enum: ['stop_reason'] })
  message_type: 'stop_reason';
  /** end_turn, or error when the turn failed (streams only). */
  stop_reason: string;
}

export class LettaUsageDto {
  @ApiProperty({ enum: ['usage_statistics'] })
  message_type: 'usage_statistics';
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** LLM calls of the turn. */
  step_count: number;
}

/** A turn's answer (Letta's LettaResponse): the agent's new messages (not the input), why it stopped, and the usage. */
export class LettaResponseDto {
  messages: LettaMessageDto[];
  stop_reason: LettaStopReasonDto;
  usage: LettaUsageDto;
}
