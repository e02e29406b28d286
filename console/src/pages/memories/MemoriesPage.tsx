import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '../../auth/session';
import { Button, PageHeader } from '../../ui/kit';
import { AddMemoryDialog } from './AddMemoryDialog';
import { BrowsePanel } from './BrowsePanel';
import { DeleteScopeButton } from './DeleteScopeButton';
import { ExportButton, ExportProgress, ImportButton, ImportProgress } from './ImportExport';
import type { ImportStarted } from './ImportExport';
import { SearchPanel } from './SearchPanel';
import { MEMORY_TYPES, scopeOf } from './api';
import type { BrowseFilter } from './api';
import { useMemoryUpdates } from './live';
import './memories.css';

const FILTER_KEYS = ['userId', 'agentId', 'runId', 'type', 'createdAfter', 'createdBefore'] as const;

/** The filter the URL holds (so a scope can be linked to and survives a reload). */
function filterOf(params: URLSearchParams): BrowseFilter {
  const filter: BrowseFilter = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (!value) continue;
    if (key === 'type') {
      if ((MEMORY_TYPES as string[]).includes(value)) filter.type = value as BrowseFilter['type'];
    } else filter[key] = value;
  }
  return filter;
}

/** Memories: browse by scope, type and time; search; add, import, export, delete a scope. */
export function MemoriesPage() {
  const session = useSession();
  const canWrite = session.can('member');
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterOf(params), [params]);
  const view = params.get('view') === 'search' ? 'search' : 'browse';
  const [adding, setAdding] = useState(false);
  const [imported, setImported] = useState<ImportStarted | null>(null);
  const [exportJob, setExportJob] = useState<string | null>(null);
  useMemoryUpdates();

  function setFilter(next: BrowseFilter) {
    const p = new URLSearchParams();
    for (const key of FILTER_KEYS) if (next[key]) p.set(key, next[key]);
    setParams(p);
  }

  function setView(next: 'browse' | 'search') {
    const p = new URLSearchParams(params);
    if (next === 'search') p.set('view', 'search');
    else p.delete('view');
    setParams(p);
  }

  return (
    <div className="stack">
      <PageHeader
        title="Memories"
        actions={
          <>
            {canWrite ? (
              <Button variant="primary" onClick={() => setAdding(true)}>
                Add memory
              </Button>
            ) : null}
            {canWrite ? <ImportButton onStarted={setImported} /> : null}
            {canWrite ? <ExportButton filter={filter} onStarted={setExportJob} /> : null}
            {canWrite ? <DeleteScopeButton scope={scopeOf(filter)} onDeleted={() => setFilter({})} /> : null}
          </>
        }
      />
      {imported ? <ImportProgress key={imported.jobId} started={imported} onClose={() => setImported(null)} /> : null}
      {exportJob ? <ExportProgress key={exportJob} jobId={exportJob} onClose={() => setExportJob(null)} /> : null}
      <div className="tabs" role="tablist" aria-label="Memories view">
        <button
          type="button"
          role="tab"
          className="tab"
          aria-selected={view === 'browse'}
          onClick={() => setView('browse')}
        >
          Browse
        </button>
        <button
          type="button"
          role="tab"
          className="tab"
          aria-selected={view === 'search'}
          onClick={() => setView('search')}
        >
          Search
        </button>
      </div>
      {view === 'browse' ? (
        <BrowsePanel filter={filter} onFilter={setFilter} />
      ) : (
        <SearchPanel initialScope={scopeOf(filter)} />
      )}
      {canWrite && adding ? <AddMemoryDialog open onClose={() => setAdding(false)} defaults={scopeOf(filter)} /> : null}
    </div>
  );
}
