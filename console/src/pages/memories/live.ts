import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveEvent } from '../../live/hooks';
import { memoryKeys } from './api';

/** A burst's lists refresh after this long; the scope counts (an aggregate over every memory) after the longer one. */
const LISTS_AFTER_MS = 200;
const SCOPES_AFTER_MS = 3000;

/**
 * Refreshes the memories queries when memory_update events arrive (an add over REST, an agent's
 * tool call, an import): once per burst, so an import of thousands does not refetch thousands
 * of times, and the scope counts more rarely still.
 */
export function useMemoryUpdates(): void {
  const queries = useQueryClient();
  const lists = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const scopes = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLiveEvent(['memory_update'], () => {
    lists.current ??= setTimeout(() => {
      lists.current = undefined;
      void queries.invalidateQueries({
        queryKey: memoryKeys.all,
        predicate: (query) => query.queryKey[1] !== memoryKeys.scopes[1],
      });
    }, LISTS_AFTER_MS);
    scopes.current ??= setTimeout(() => {
      scopes.current = undefined;
      void queries.invalidateQueries({ queryKey: memoryKeys.scopes });
    }, SCOPES_AFTER_MS);
  });
  useEffect(
    () => () => {
      clearTimeout(lists.current);
      clearTimeout(scopes.current);
    },
    [],
  );
}
