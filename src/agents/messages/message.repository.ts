import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { TenantContext } from '../../common/context/tenant-context.js';
import { Page, toPage } from '../../common/pagination/page.js';
import { entityChanges } from '../../database/entity-changes.js';
import { Message } from '../entities/message.entity.js';
import type { MessageRole } from '../entities/message.entity.js';
import { applyKeysetWindow } from '../../common/pagination/keyset-window.js';
import type { KeysetWindow } from '../../common/pagination/keyset-window.js';

/** What the context builder needs to choose messages without loading their text. */
export interface MessageSize {
  id: string;
  role: MessageRole;
  tokens: number;
  requestId: string | null;
}

export interface MessageFilter {
  userId?: string;
  runId?: string;
}

/** How many of a conversation's newest messages the context builder looks at, at most. */
const NEWEST_CONSIDERED = 2000;

/** Every query of the messages table, filtered by the caller's organization. */
@Injectable()
export class MessageRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  /** Stores messages in one statement (all or none). */
  async insert(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.dataSource.getRepository(Message).insert(messages.map((m) => entityChanges<Message>(m)));
  }

  async page(
    agentId: string,
    filter: MessageFilter,
    limit: number,
    cursor: string | undefined,
    order: 'asc' | 'desc',
  ): Promise<Page<Message>> {
    const query = this.conversation(agentId)
      .orderBy('m.id', order === 'asc' ? 'ASC' : 'DESC')
      .limit(limit + 1);
    if (filter.userId !== undefined) query.andWhere('m.userId = :userId', { userId: filter.userId });
    if (filter.runId !== undefined) query.andWhere('m.runId = :runId', { runId: filter.runId });
    if (cursor) query.andWhere(`m.id ${order === 'asc' ? '>' : '<'} :cursor`, { cursor });
    return toPage(await query.getMany(), limit);
  }

  /** A window of an agent's whole log by keyset in either direction (Letta's message list). */
  async window(agentId: string, w: KeysetWindow): Promise<Message[]> {
    const query = this.conversation(agentId);
    const inOrder = applyKeysetWindow(query, 'm.id', w);
    return inOrder(await query.getMany());
  }

  /** The sizes of the newest messages of one conversation (an agent and one user, or no user), newest first. */
  async newestSizes(agentId: string, userId: string | null): Promise<MessageSize[]> {
    const rows = await this.conversation(agentId, userId)
      .select(['m.id', 'm.role', 'm.tokens', 'm.requestId'])
      .orderBy('m.id', 'DESC')
      .limit(NEWEST_CONSIDERED)
      .getMany();
    return rows.map((r) => ({ id: r.id, role: r.role, tokens: r.tokens, requestId: r.requestId }));
  }

  /** Messages by id, oldest first. */
  async byIds(ids: string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    return this.dataSource
      .getRepository(Message)
      .find({ where: { organizationId: this.tenant.organizationId, id: In(ids) }, order: { id: 'ASC' } });
  }

  /**
   * Full-text search over one conversation's user and assistant messages (websearch syntax,
   * ranked by cover density, newest first among equals), leaving out the turn in progress.
   */
  async search(
    agentId: string,
    userId: string | null,
    query: string,
    limit: number,
    excludeRequestId: string | null,
  ): Promise<Message[]> {
    // PostgreSQL's full text (the generated tsv column, not an entity property), in query-builder fragments.
    const matches = "websearch_to_tsquery('english', :query)";
    return this.conversation(agentId, userId)
      .andWhere("m.role IN ('user', 'assistant')")
      .andWhere(`m.tsv @@ ${matches}`, { query })
      .andWhere('m.requestId IS DISTINCT FROM :excludeRequestId', { excludeRequestId })
      .orderBy(`ts_rank_cd(m.tsv, ${matches})`, 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** The organization's messages of one agent (and of one user, or of none, when `userId` is given), as `m`. */
  private conversation(agentId: string, userId?: string | null) {
    const query = this.dataSource
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.organizationId = :organizationId AND m.agentId = :agentId', {
        organizationId: this.tenant.organizationId,
        agentId,
      });
    if (userId !== undefined) query.andWhere('m.userId IS NOT DISTINCT FROM :userId', { userId });
    return query;
  }
}
