import { useState } from 'react';
import type { FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { Button, ErrorNote, Field, Input } from '../ui/kit';
import { useTheme } from '../ui/theme';

/** Sign in with email and password (access and refresh tokens) or with an API key. */
export function SignIn() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  useTheme();
  const [mode, setMode] = useState<'password' | 'key'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const back = (location.state as { from?: string } | null)?.from ?? '/memories';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'password') await session.signIn(email, password);
      else await session.signInWithKey(apiKey.trim());
      await navigate(back, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <h1>AgentMem</h1>
        <p className="muted">Sign in to see and steer what your agents remember.</p>
        <div className="tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'password'}
            className="tab"
            onClick={() => setMode('password')}
          >
            Email and password
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'key'}
            className="tab"
            onClick={() => setMode('key')}
          >
            API key
          </button>
        </div>
        {mode === 'password' ? (
          <>
            <Field label="Email">
              <Input
                type="email"
                name="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </Field>
            <Field label="Password">
              <Input
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
          </>
        ) : (
          <Field label="API key" hint="am_… — it stays in this browser only.">
            <Input
              name="apiKey"
              autoComplete="off"
              required
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </Field>
        )}
        <ErrorNote error={error} />
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
