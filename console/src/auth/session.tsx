import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { forgetJobs } from '../live/jobs';
import type { AuthTokens, Me, Role } from '../api/types';
import { atLeast } from './roles';
import { credential, fromTokens, onCredentialChange, refreshSettled, setCredential } from './tokens';
import type { Credential } from './tokens';

export interface Session {
  credential: Credential | null;
  /** Who the API says the caller is (GET /auth/me); null until known. */
  me: Me | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signInWithKey(apiKey: string): Promise<void>;
  signOut(): Promise<void>;
  /** Whether the caller's role reaches `role` (the API refuses what it does not). */
  can(role: Role): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [held, setHeld] = useState<Credential | null>(credential());
  useEffect(() => onCredentialChange(setHeld), []);
  const me = useQuery({
    queryKey: ['me', held?.kind],
    queryFn: () => unwrap(api.GET('/api/v1/auth/me')),
    enabled: held !== null,
    staleTime: 60_000,
  });

  const signIn = useCallback(
    async (email: string, password: string) => {
      const tokens: AuthTokens = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
      queries.clear();
      forgetJobs();
      setCredential(fromTokens(tokens));
    },
    [queries],
  );

  const signInWithKey = useCallback(
    async (apiKey: string) => {
      const response = await fetch('/api/v1/auth/me', { headers: { Authorization: `Bearer ${apiKey}` } });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { message?: string };
        throw new Error(body.message ?? 'That API key was refused');
      }
      queries.clear();
      forgetJobs();
      setCredential({ kind: 'key', apiKey });
    },
    [queries],
  );

  const signOut = useCallback(async () => {
    await refreshSettled();
    const held = credential();
    if (held?.kind === 'user') {
      await fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: held.refreshToken }),
      }).catch(() => undefined);
    }
    setCredential(null);
    queries.clear();
  }, [queries]);

  const value = useMemo<Session>(() => {
    const role = me.data?.role;
    return {
      credential: held,
      me: me.data ?? null,
      loading: held !== null && me.isPending,
      signIn,
      signInWithKey,
      signOut,
      can: (wanted: Role) => role !== undefined && atLeast(role, wanted),
    };
  }, [held, me.data, me.isPending, signIn, signInWithKey, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
