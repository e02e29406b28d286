import { Injectable } from '@nestjs/common';
import { TenantContext } from '../../common/context/tenant-context.js';
import { EventBus } from '../../common/events/event-bus.js';
import { uuidv7 } from '../../common/ids.js';
import { mapPage, Page } from '../../common/pagination/page.js';
import { countTokens, MESSAGE_OVERHEAD_TOKENS } from '../../llm/tokens.js';
import { messageCreated } from '../agent.events.js';
import type { Message, MessageRole, StoredToolCall } from '../entities/message.entity.js';
import type { KeysetWindow } from '../../common/pagination/keyset-window.js';
import type { ListMessagesQueryDto } from './dto/list-messages-query.dto.js';
import { MessageResponseDto } from './dto/message-response.dto.js';
import { MessageRepository } from './message.repository.js';
import type { MessageSize } from './message.repository.js';

/** A message about to be stored. */
export interface MessageDraft {
  role: MessageRole;
  content: string;
  toolCalls?: StoredToolCall[];
  toolCallId?: string;
  toolName?: string;
}

/** Which conversation and turn messages belong to. */
export interface Conversation {
  agentId: string;
  userId: string | null;
  runId: string | null;
  requestId: string | null;
}

/** What a message costs in a prompt: its text, its tool calls, and the per-message overhead. */
export function tokensOf(draft: MessageDraft): number {
  return (
    countTokens(draft.content) +
    (draft.toolCalls ? countTokens(JSON.stringify(draft.toolCalls)) : 0) +
    MESSAGE_OVERHEAD_TOKENS
  );
}

/** The conversation log of agents: stored once, listed, searched, and chosen for prompts. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly tenant: TenantContext,
    private readonly events: EventBus,
  ) {}

  async list(agentId: string, query: ListMessagesQueryDto): Promise<Page<MessageResponseDto>> {
    return mapPage(
      await this.messages.page(
        agentId,
        { userId: query.userId, runId: query.runId },
        query.limit,
        query.cursor,
        query.order,
      ),
      MessageResponseDto.from,
    );
  }

  /** A window of an agent's whole log by keyset in either direction (Letta's message list). */
  async window(agentId: string, w: KeysetWindow): Promise<MessageResponseDto[]> {
    return (await this.messages.window(agentId, w)).map(MessageResponseDto.from);
  }

  /** Stores messages of a conversation (one statement) and tells the agent's followers. */
  async record(conversation: Conversation, drafts: MessageDraft[]): Promise<Message[]> {
    const organizationId = this.tenant.organizationId;
    const stored: Message[] = drafts.map((d) => ({
      id: uuidv7(),
      organizationId,
      agentId: conversation.agentId,
      userId: conversation.userId,
      runId: conversation.runId,
      requestId: conversation.requestId,
      role: d.role,
      content: d.content,
      toolCalls: d.toolCalls ?? null,
      toolCallId: d.toolCallId ?? null,
      toolName: d.toolName ?? null,
      tokens: tokensOf(d),
      createdAt: new Date(),
    }));
    await this.messages.insert(stored);
    this.events.publish(
      stored.map((m) =>
        messageCreated(organizationId, {
          messageId: m.id,
          agentId: m.agentId,
          userId: m.userId,
          runId: m.runId,
          role: m.role,
          content: m.content,
        }),
      ),
    );
    return stored;
  }

  newestSizes(agentId: string, userId: string | null): Promise<MessageSize[]> {
    return this.messages.newestSizes(agentId, userId);
  }

  load(ids: string[]): Promise<Message[]> {
    return this.messages.byIds(ids);
  }

  search(
    agentId: string,
    userId: string | null,
    query: string,
    limit: number,
    excludeRequestId: string | null,
  ): Promise<Message[]> {
    return this.messages.search(agentId, userId, query, limit, excludeRequestId);
  }
}
