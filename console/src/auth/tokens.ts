import type { AuthTokens } from '../api/types';

/**
 * The console's credential, kept in localStorage so a reload stays signed in: an API key, or a
 * user's access token with its single-use refresh token (rotated on every refresh, as the API
 * intends). Only this module reads or writes it.
 */
export type Credential =
  { kind: 'user'; accessToken: string; refreshToken: string; expiresAt: number } | { kind: 'key'; apiKey: string };

const STORAGE_KEY = 'agentmem.console.credential';
const listeners = new Set<(credential: Credential | null) => void>();

let current: Credential | null = read();

function read(): Credential | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Credential) : null;
  } catch {
    return null;
  }
}

export function credential(): Credential | null {
  return current;
}

export function setCredential(next: Credential | null): void {
  current = next;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(next);
}

export function onCredentialChange(listener: (credential: Credential | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function fromTokens(tokens: AuthTokens): Credential {
  return {
    kind: 'user',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: Date.now() + tokens.expiresIn * 1000,
  };
}

/** What goes in Authorization: the access token or the API key. */
export function bearer(): string | null {
  if (!current) return null;
  return current.kind === 'user' ? current.accessToken : current.apiKey;
}

let refreshing: Promise<boolean> | null = null;

/**
 * Trades the refresh token for a new pair, once at a time: refresh tokens are single-use, so
 * two requests that both saw a 401 must share one refresh. False when the session is over.
 */
export function refreshTokens(): Promise<boolean> {
  const held = current;
  if (!held || held.kind !== 'user') return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: held.refreshToken }),
      });
      if (!res.ok) {
        if (res.status === 401 || res.status === 400) setCredential(null);
        return false;
      }
      setCredential(fromTokens((await res.json()) as AuthTokens));
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Refreshes a user's token a minute before it expires, so sockets and streams keep a valid one. */
export async function freshBearer(): Promise<string | null> {
  if (current?.kind === 'user' && current.expiresAt - Date.now() < 60_000) await refreshTokens();
  return bearer();
}
