import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../common/context/tenant-context.js';
import { Page, toPage } from '../../common/pagination/page.js';
import { Message } from '../entities/message.entity.js';
import type { MessageRole, StoredToolCall } from '../entities/message.entity.js';

interface MessageRow {
  id: string;
  organization_id: string;
  agent_id: string;
  user_id: string | null;
  run_id: string | null;
  request_id: string | null;
  role: MessageRole;
  content: string;
  tool_calls: StoredToolCall[] | null;
  tool_call_id: string | null;
  tool_name: string | null;
  tokens: number;
  created_at: Date;
}

const COLUMNS =
  'id, organization_id, agent_id, user_id, run_id, request_id, role, content, tool_calls, tool_call_id, tool_name, tokens, created_at';

function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    organizationId: r.organization_id,
    agentId: r.agent_id,
    userId: r.user_id,
    runId: r.run_id,
    requestId: r.request_id,
    role: r.role,
    content: r.content,
    toolCalls: r.tool_calls,
    toolCallId: r.tool_call_id,
    toolName: r.tool_name,
    tokens: r.tokens,
    createdAt: r.created_at,
  };
}

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
    const params: unknown[] = [];
    const rows = messages.map((m) => {
      const values = [
        m.id,
        m.organizationId,
        m.agentId,
        m.userId,
        m.runId,
        m.requestId,
        m.role,
        m.content,
        m.toolCalls === null ? null : JSON.stringify(m.toolCalls),
        m.toolCallId,
        m.toolName,
        m.tokens,
        m.createdAt,
      ];
      return `(${values.map((v) => `$${params.push(v)}`).join(', ')})`;
    });
    await this.dataSource.query(`INSERT INTO messages (${COLUMNS}) VALUES ${rows.join(', ')}`, params);
  }

  async page(
    agentId: string,
    filter: MessageFilter,
    limit: number,
    cursor: string | undefined,
    order: 'asc' | 'desc',
  ): Promise<Page<Message>> {
    const params: unknown[] = [this.tenant.organizationId, agentId, limit + 1];
    let where = 'organization_id = $1 AND agent_id = $2';
    if (filter.userId !== undefined) where += ` AND user_id = $${params.push(filter.userId)}`;
    if (filter.runId !== undefined) where += ` AND run_id = $${params.push(filter.runId)}`;
    if (cursor) where += ` AND id ${order === 'asc' ? '>' : '<'} $${params.push(cursor)}`;
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM messages WHERE ${where} ORDER BY id ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT $3`,
      params,
    );
    return toPage(rows.map(toMessage), limit);
  }

  /** The sizes of the newest messages of one conversation (an agent and one user, or no user), newest first. */
  async newestSizes(agentId: string, userId: string | null): Promise<MessageSize[]> {
    const rows: { id: string; role: MessageRole; tokens: number; request_id: string | null }[] =
      await this.dataSource.query(
        `SELECT id, role, tokens, request_id FROM messages
        WHERE organization_id = $1 AND agent_id = $2 AND user_id IS NOT DISTINCT FROM $3
        ORDER BY id DESC LIMIT ${NEWEST_CONSIDERED}`,
        [this.tenant.organizationId, agentId, userId],
      );
    return rows.map((r) => ({ id: r.id, role: r.role, tokens: r.tokens, requestId: r.request_id }));
  }

  /** Messages by id, oldest first. */
  async byIds(ids: string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM messages WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id`,
      [this.tenant.organizationId, ids],
    );
    return rows.map(toMessage);
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
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM messages, websearch_to_tsquery('english', $4) q
        WHERE organization_id = $1 AND agent_id = $2 AND user_id IS NOT DISTINCT FROM $3
          AND role IN ('user', 'assistant') AND tsv @@ q AND request_id IS DISTINCT FROM $6
        ORDER BY ts_rank_cd(tsv, q) DESC, id DESC LIMIT $5`,
      [this.tenant.organizationId, agentId, userId, query, limit, excludeRequestId],
    );
    return rows.map(toMessage);
  }
}
