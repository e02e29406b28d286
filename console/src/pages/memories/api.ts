import { api, unwrap } from '../../api/client';
import type { Memory } from '../../api/types';

/** Query keys of the memories pages: everything under ['memories'] is refreshed by memory_update events. */
export const memoryKeys = {
  all: ['memories'] as const,
  list: (filter: BrowseFilter, cursor: string | undefined) => ['memories', 'list', filter, cursor ?? null] as const,
  scopes: ['memories', 'scopes'] as const,
  one: (id: string) => ['memories', 'one', id] as const,
  history: (id: string) => ['memories', 'history', id] as const,
};

export const MEMORY_TYPES: Memory['type'][] = ['episodic', 'semantic', 'procedural', 'working'];
export const PAGE_SIZE = 20;

/** What the list is narrowed to (as in the page's URL): a scope, a type, a creation time range. */
export interface BrowseFilter {
  userId?: string;
  agentId?: string;
  runId?: string;
  type?: Memory['type'];
  createdAfter?: string;
  createdBefore?: string;
}

export type ScopeFilter = Pick<BrowseFilter, 'userId' | 'agentId' | 'runId'>;

export function scopeOf(filter: BrowseFilter): ScopeFilter {
  const scope: ScopeFilter = {};
  if (filter.userId) scope.userId = filter.userId;
  if (filter.agentId) scope.agentId = filter.agentId;
  if (filter.runId) scope.runId = filter.runId;
  return scope;
}

/** "userId alice, agentId support-bot": how a scope is named to the user. */
export function describeScope(scope: ScopeFilter): string {
  return Object.entries(scope)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} "${v}"`)
    .join(', ');
}

export function listMemories(filter: BrowseFilter, cursor: string | undefined) {
  return unwrap(
    api.GET('/api/v1/memories', { params: { query: { ...filter, cursor, limit: PAGE_SIZE, order: 'desc' } } }),
  );
}

export function getMemory(id: string) {
  return unwrap(api.GET('/api/v1/memories/{id}', { params: { path: { id } } }));
}

/** A datetime-local input's value as ISO 8601 (in the browser's time zone), or undefined. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** An ISO time as a datetime-local input's value. */
export function localOf(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
