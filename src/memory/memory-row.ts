import type { SqlParams } from '../database/sql-params.js';
import type { MemoryRecord, MemoryScope, MemoryType } from './memory.types.js';

/** The columns of a memory as returned (alias `m`), never its vectors or context. */
export const MEMORY_COLUMNS = `m.id, m.organization_id, m.user_id, m.agent_id, m.run_id, m.content, m.type, m.metadata, m.importance, m.hash,
  m.access_count, m.last_accessed_at, m.expires_at, m.created_at, m.updated_at`;

export interface MemoryRow {
  id: string;
  organization_id: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  content: string;
  type: MemoryType;
  metadata: Record<string, unknown>;
  importance: number;
  hash: string;
  access_count: number;
  last_accessed_at: Date | null;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toMemoryRecord(r: MemoryRow): MemoryRecord {
  return {
    id: r.id,
    organizationId: r.organization_id,
    userId: r.user_id,
    agentId: r.agent_id,
    runId: r.run_id,
    content: r.content,
    type: r.type,
    metadata: r.metadata,
    importance: Number(r.importance),
    hash: r.hash,
    accessCount: r.access_count,
    lastAccessedAt: r.last_accessed_at,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Not past its expiry (working memory the maintenance job has not swept yet). */
export const NOT_EXPIRED = `(m.expires_at IS NULL OR m.expires_at > now())`;

/**
 * `organization = $org AND live [AND scope fields]` over `memories m`, its values appended to
 * `p`; without the expiry test when `expiry` is false (statistics, which need no heap visit for it).
 */
export function liveMemoryWhere(
  p: SqlParams,
  organizationId: string,
  scope: Partial<MemoryScope> = {},
  expiry = true,
): string {
  const parts = [`m.organization_id = ${p.add(organizationId)}`, `m.deleted_at IS NULL`];
  if (expiry) parts.push(NOT_EXPIRED);
  if (scope.userId != null) parts.push(`m.user_id = ${p.add(scope.userId)}`);
  if (scope.agentId != null) parts.push(`m.agent_id = ${p.add(scope.agentId)}`);
  if (scope.runId != null) parts.push(`m.run_id = ${p.add(scope.runId)}`);
  return parts.join(' AND ');
}
