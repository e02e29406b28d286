import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { credential, freshBearer, onCredentialChange, refreshTokens } from '../auth/tokens';

/** The events the API pushes (src/realtime/realtime.events.ts): snake_case data with a type and a timestamp. */
export type LiveEventName = 'memory_update' | 'agent_update' | 'job_progress' | 'message' | 'llm_chunk' | 'error';
export const LIVE_EVENT_NAMES: LiveEventName[] = [
  'memory_update',
  'agent_update',
  'job_progress',
  'message',
  'llm_chunk',
  'error',
];

export interface LiveEvent {
  type: LiveEventName;
  timestamp: string;
  [field: string]: unknown;
}

type Listener = (event: LiveEvent) => void;

let socket: Socket | null = null;
const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();

/**
 * One Socket.IO connection per signed-in console, at /api/v1/ws with the same credential as
 * REST (asked again at each reconnect, so a refreshed token is used). A refusal for an expired
 * token refreshes it and connects again.
 */
function connect(): Socket {
  const s = io({
    path: '/api/v1/ws',
    transports: ['websocket'],
    auth: (cb) => void freshBearer().then((token) => cb({ token: token ?? '' })),
  });
  for (const name of LIVE_EVENT_NAMES) {
    s.on(name, (data: LiveEvent) => {
      for (const listener of listeners) listener({ ...data, type: data.type ?? name });
    });
  }
  s.on('connect', () => statusListeners.forEach((l) => l(true)));
  s.on('disconnect', () => statusListeners.forEach((l) => l(false)));
  s.on('connect_error', () => {
    statusListeners.forEach((l) => l(false));
    if (credential()?.kind === 'user') void refreshTokens().then((ok) => ok && !s.connected && s.connect());
  });
  return s;
}

export function liveSocket(): Socket | null {
  if (!socket && credential()) socket = connect();
  return socket;
}

onCredentialChange((held) => {
  if (!held && socket) {
    socket.disconnect();
    socket = null;
  }
});

export function onLiveEvent(listener: Listener): () => void {
  liveSocket();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function onLiveStatus(listener: (connected: boolean) => void): () => void {
  statusListeners.add(listener);
  listener(socket?.connected ?? false);
  return () => statusListeners.delete(listener);
}

/** Follows an agent's conversation (its `message` and `llm_chunk` events) until the returned function is called. */
export function followAgent(agentId: string): () => void {
  const s = liveSocket();
  const subscribe = () => s?.emit('subscribe', { agentId });
  subscribe();
  s?.on('connect', subscribe);
  return () => {
    s?.off('connect', subscribe);
    s?.emit('unsubscribe', { agentId });
  };
}
