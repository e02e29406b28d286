import type { AuthTokens } from '../api/types';

/**
 * The console's credential, kept in localStorage so a reload stays signed in: an API key, or a
 * user's access token with its single-use refresh token (rotated on every refresh, as the API
 * intends). Only this module reads or writes it.
 */
export type Credential =
  | { kind: 'user'; accessToken: string; refreshToken: string; expiresAt: number; lifetimeMs: number }
  | { kind: 'key'; apiKey: string };

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
    lifetimeMs: tokens.expiresIn * 1000,
  };
}

/** What goes in Authorization: the access token or the API key. */
export function bearer(): string | null {
  if (!current) return null;
  return current.kind === 'user' ? current.accessToken : current.apiKey;
}

let refreshing: Promise<boolean> | null = null;

/** Takes what another tab (or this one) stored as this tab's credential, without writing it back. */
function adopt(next: Credential | null): void {
  current = next;
  for (const listener of listeners) listener(next);
}

// Tabs share localStorage: a sign-in, sign-out or refresh in one is the others' too.
window.addEventListener('storage', (event) => {
  if (event.key === STORAGE_KEY || event.key === null) adopt(read());
});

/** Runs `work` while no other tab of this console refreshes (Web Locks; alone where there are none). */
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  return navigator.locks ? navigator.locks.request('agentmem.console.refresh', work) : work();
}

/**
 * Trades the refresh token for a new pair. Refresh tokens are single-use, and spending one twice
 * makes the API revoke the whole session, so: one refresh at a time in a tab (requests that saw
 * a 401 together share it) and across tabs (a lock, then localStorage read again: another tab
 * may have rotated the pair already, which this tab then takes). A refresh that ends after a
 * sign-out writes nothing. False when the session is over.
 */
export function refreshTokens(): Promise<boolean> {
  const held = current;
  if (!held || held.kind !== 'user') return Promise.resolve(false);
  const spent = held.refreshToken;
  const stillHeld = () => {
    const stored = read();
    return stored?.kind === 'user' && stored.refreshToken === spent;
  };
  refreshing ??= exclusive(async () => {
    if (!stillHeld()) {
      adopt(read());
      return current !== null;
    }
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: spent }),
      });
      if (!stillHeld()) {
        adopt(read());
        return current !== null;
      }
      if (!res.ok) {
        if (res.status === 401 || res.status === 400) setCredential(null);
        return false;
      }
      setCredential(fromTokens((await res.json()) as AuthTokens));
      return true;
    } catch {
      return false;
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Settles when no refresh is running (a sign-out waits, so that it revokes the newest token). */
export async function refreshSettled(): Promise<void> {
  await refreshing?.catch(() => undefined);
}

/**
 * Refreshes a user's token shortly before it expires (a minute, or a quarter of its lifetime when
 * that is shorter), so that sockets and streams start with a valid one.
 */
export async function freshBearer(): Promise<string | null> {
  const margin = current?.kind === 'user' ? Math.min(60_000, (current.lifetimeMs ?? 0) / 4) : 0;
  if (current?.kind === 'user' && current.expiresAt - Date.now() < margin) await refreshTokens();
  return bearer();
}
