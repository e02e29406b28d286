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

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

let socket: Socket | null = null;
const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();

/**
 * One Socket.IO connection per signed-in console, at /api/v1/ws with the same credential as
 * REST (asked again at each reconnect, so a refreshed token is used). The server ends a socket
 * whose token expired (it checks every minute) and refuses a handshake with a stale one (401:
 * refresh, then connect again) or with too many connections (429: try again later); Socket.IO
 * reconnects by itself only after a lost connection, so those three are handled here.
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
  let retryMs = RETRY_MIN_MS;
  const again = (delayMs: number) =>
    setTimeout(() => {
      if (socket === s && credential() && !s.connected) s.connect();
    }, delayMs);
  s.on('connect', () => {
    retryMs = RETRY_MIN_MS;
    statusListeners.forEach((l) => l(true));
  });
  s.on('disconnect', (reason) => {
    statusListeners.forEach((l) => l(false));
    if (reason === 'io server disconnect') again(0);
  });
  s.on('connect_error', (error: Error & { data?: { statusCode?: number } }) => {
    statusListeners.forEach((l) => l(false));
    if (error.data?.statusCode === 401) {
      if (credential()?.kind === 'user') void refreshTokens().then((ok) => ok && again(0));
      return;
    }
    if (error.data?.statusCode !== undefined) {
      again(retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
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
