import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useLiveEvent } from '../../live/hooks';
import { memoryKeys } from './api';

/**
 * Refreshes every memories query when memory_update events arrive (an add over REST, an agent's
 * tool call, an import): one refresh per burst, so an import of thousands does not refetch thousands of times.
 */
export function useMemoryUpdates(): void {
  const queries = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLiveEvent(['memory_update'], () => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void queries.invalidateQueries({ queryKey: memoryKeys.all });
    }, 200);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
}
