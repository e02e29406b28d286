import type { KeysetWindow } from '../../common/pagination/keyset-window.js';
import type { LettaPageQueryDto } from './dto/letta-page-query.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';

/** Letta's paging fields as a keyset window, in the list's default order unless `order` is given. */
export function pageWindow(query: LettaPageQueryDto, defaultOrder: 'asc' | 'desc'): KeysetWindow {
  return { after: query.after, before: query.before, limit: query.limit, order: query.order ?? defaultOrder };
}

/**
 * A page of a short list held in memory (an agent's blocks or tools, in attachment order), as
 * Letta's clients page: `after` and `before` are exclusive bounds in `order` (asc: the list's
 * own order); given `before` alone, the page is the `limit` items just before it, so that paging
 * backwards by the first id of each page reaches the start. A bound that is not in the list (an
 * item detached while paging) is a 400 naming it, never a restart at the first page.
 */
export function windowOf<T>(items: T[], idOf: (item: T) => string, w: KeysetWindow): T[] {
  const ordered = w.order === 'desc' ? [...items].reverse() : items;
  const position = (field: 'after' | 'before', id: string): number => {
    const i = ordered.findIndex((item) => idOf(item) === id);
    if (i < 0) throw new LettaError(LettaErrorCode.InvalidInput, `${field}: ${id} is not an item of this list`);
    return i;
  };
  const start = w.after !== undefined ? position('after', w.after) + 1 : 0;
  const end = w.before !== undefined ? position('before', w.before) : ordered.length;
  if (end <= start) return [];
  return w.before !== undefined && w.after === undefined
    ? ordered.slice(Math.max(start, end - w.limit), end)
    : ordered.slice(start, Math.min(end, start + w.limit));
}
