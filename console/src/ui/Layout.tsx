import { NavLink, Outlet } from 'react-router';
import { useSession } from '../auth/session';
import { useLiveConnected } from '../live/hooks';
import { Badge, Button } from './kit';
import { useTheme } from './theme';

const NAV = [
  { to: '/memories', label: 'Memories' },
  { to: '/agents', label: 'Agents' },
  { to: '/tools', label: 'Tools' },
  { to: '/live', label: 'Live' },
  { to: '/jobs', label: 'Jobs' },
  { to: '/settings', label: 'Settings' },
];

/** The frame of every signed-in page: navigation, who is signed in, live status, theme, sign out. */
export function Layout() {
  const session = useSession();
  const connected = useLiveConnected();
  const [theme, toggleTheme] = useTheme();
  const me = session.me;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">AgentMem</span>
        <nav aria-label="Main" className="nav">
          {NAV.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="topbar-end">
          <Badge tone={connected ? 'good' : 'warn'} title="Live updates over Socket.IO">
            {connected ? 'live' : 'offline'}
          </Badge>
          {me ? (
            <span className="who" data-testid="who">
              {me.user?.email ?? me.apiKey?.name ?? 'API key'} · {me.organization.name} ·{' '}
              <span data-testid="role">{me.role}</span>
            </span>
          ) : null}
          <Button
            variant="ghost"
            onClick={toggleTheme}
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </Button>
          <Button variant="ghost" onClick={() => void session.signOut()}>
            Sign out
          </Button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
