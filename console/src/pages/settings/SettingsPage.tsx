import { useId } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../ui/kit';
import { ApiKeysTab } from './ApiKeysTab';
import { MembersTab } from './MembersTab';
import { ServerTab } from './ServerTab';
import './settings.css';

const TABS = [
  { id: 'keys', label: 'API keys' },
  { id: 'members', label: 'Members' },
  { id: 'server', label: 'Server' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** API keys, members and roles, the server's readiness and the organization's limits; the tab is in the URL (?tab=). */
export function SettingsPage() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab');
  const tab: TabId = TABS.some((t) => t.id === asked) ? (asked as TabId) : 'keys';
  const base = useId();
  const select = (id: TabId) => setParams({ tab: id }, { replace: true });

  return (
    <div className="stack">
      <PageHeader title="Settings" />
      <div className="tabs" role="tablist" aria-label="Settings">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${base}-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${base}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => select(t.id)}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
              select(next.id);
              document.getElementById(`${base}-${next.id}`)?.focus();
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${tab}`}>
        {tab === 'keys' ? <ApiKeysTab /> : null}
        {tab === 'members' ? <MembersTab /> : null}
        {tab === 'server' ? <ServerTab isAdmin={session.can('admin')} /> : null}
      </section>
    </div>
  );
}
