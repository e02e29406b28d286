import { useEffect, useRef, useState } from 'react';
import { onLiveEvent, onLiveStatus } from './socket';
import type { LiveEvent, LiveEventName } from './socket';

/** Calls `handler` for each live event of the given kinds (all kinds when none are given). */
export function useLiveEvent(kinds: LiveEventName[] | null, handler: (event: LiveEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  const key = kinds?.join(',') ?? '*';
  useEffect(() => {
    const wanted = key === '*' ? null : new Set(key.split(','));
    return onLiveEvent((event) => {
      if (!wanted || wanted.has(event.type)) latest.current(event);
    });
  }, [key]);
}

export function useLiveConnected(): boolean {
  const [connected, setConnected] = useState(false);
  useEffect(() => onLiveStatus(setConnected), []);
  return connected;
}
