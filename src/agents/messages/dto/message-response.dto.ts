import { ApiProperty } from '@nestjs/swagger';
import { MESSAGE_ROLES } from '../../entities/message.entity.js';
import type { Message, MessageRole } from '../../entities/message.entity.js';

export class ToolCallDto {
  /** The call's id; the tool message answering it carries the same `toolCallId`. */
  id: string;
  name: string;
  /** The arguments the model passed (JSON). */
  arguments: unknown;
}

export class MessageResponseDto {
  id: string;
  agentId: string;
  userId: string | null;
  runId: string | null;
  /** The turn that wrote it (its LLM stream's request id). */
  requestId: string | null;
  @ApiProperty({ enum: MESSAGE_ROLES })
  role: MessageRole;
  content: string;
  /** The tools an assistant message called. */
  toolCalls: ToolCallDto[] | null;
  /** On a tool message: the call it answers. */
  toolCallId: string | null;
  toolName: string | null;
  createdAt: Date;

  static from(this: void, m: Message): MessageResponseDto {
    return {
      id: m.id,
      agentId: m.agentId,
      userId: m.userId,
      runId: m.runId,
      requestId: m.requestId,
      role: m.role,
      content: m.content,
      toolCalls: m.toolCalls,
      toolCallId: m.toolCallId,
      toolName: m.toolName,
      createdAt: m.createdAt,
    };
  }
}

export class MessagePageResponseDto {
  data: MessageResponseDto[];
  nextCursor: string | null;
}
