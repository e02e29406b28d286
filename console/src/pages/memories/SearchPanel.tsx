import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { SearchHit, SearchRequest } from '../../api/types';
import { Badge, Button, Empty, ErrorNote, Field, Input, Select, TextArea } from '../../ui/kit';
import { ScopeBadges } from './BrowsePanel';
import { FilterBuilder } from './FilterBuilder';
import { buildFilters } from './filters';
import type { Combinator, FilterRow } from './filters';
import { parseJsonObject } from '../../ui/json';
import type { ScopeFilter } from './api';

type Mode = NonNullable<SearchRequest['mode']>;
const MODES: Mode[] = ['hybrid', 'vector', 'text'];

const score = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(3));

function Hit({ hit }: { hit: SearchHit }) {
  return (
    <li className="card hit" data-testid="search-hit">
      <div className="hit-head">
        <Link to={`/memories/${hit.id}`}>{hit.memory}</Link>
        <span className="hit-score" data-testid="hit-score" title="Fused score">
          {score(hit.score)}
        </span>
      </div>
      <div className="row small">
        <ScopeBadges memory={hit} />
        <span className="muted">{hit.type}</span>
        <span data-testid="hit-scores">
          vector {score(hit.scores.vector)} · text {score(hit.scores.text)}
        </span>
        <span className="row" aria-label="Found by">
          {hit.retrievers.map((r) => (
            <Badge key={r} tone="info">
              {r}
            </Badge>
          ))}
        </span>
      </div>
    </li>
  );
}

/** POST /memories/search: query, mode, limit, scope and filters; each hit with its fused and per-retriever scores. */
export function SearchPanel({ initialScope }: { initialScope: ScopeFilter }) {
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<Mode>('hybrid');
  const [limit, setLimit] = useState(10);
  // The scope the list was narrowed to is where a search starts.
  const [scope, setScope] = useState({
    userId: initialScope.userId ?? '',
    agentId: initialScope.agentId ?? '',
    runId: initialScope.runId ?? '',
  });
  const [rows, setRows] = useState<FilterRow[]>([]);
  const [combinator, setCombinator] = useState<Combinator>('AND');
  const [raw, setRaw] = useState(false);
  const [rawText, setRawText] = useState('');
  const [rawError, setRawError] = useState<unknown>(null);

  const search = useMutation({
    mutationFn: (body: SearchRequest) => unwrap(api.POST('/api/v1/memories/search', { body })),
  });

  function toggleRaw() {
    // The raw editor starts from what the builder made, so switching loses nothing.
    if (!raw) setRawText(JSON.stringify(buildFilters(rows, combinator) ?? {}, null, 2));
    setRaw(!raw);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    let filters: Record<string, unknown> | undefined;
    try {
      filters = raw ? parseJsonObject(rawText, 'filters') : buildFilters(rows, combinator);
    } catch (e) {
      search.reset();
      setRawError(e);
      return;
    }
    setRawError(null);
    if (filters && Object.keys(filters).length === 0) filters = undefined;
    const body: SearchRequest = { query, mode, limit, filters };
    for (const key of ['userId', 'agentId', 'runId'] as const) if (scope[key].trim()) body[key] = scope[key].trim();
    search.mutate(body);
  }

  return (
    <div className="stack">
      <form className="card stack" onSubmit={submit} aria-label="Search memories">
        <div className="search-line">
          <Field label="Query">
            <Input type="search" required value={query} onChange={(e) => setQuery(e.target.value)} />
          </Field>
          <Field label="Mode">
            <Select value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Limit">
            <Input type="number" min={1} max={100} value={limit} onChange={(e) => setLimit(Number(e.target.value))} />
          </Field>
          <Button type="submit" variant="primary" disabled={search.isPending}>
            Search
          </Button>
        </div>
        <div className="scope-line">
          {(['userId', 'agentId', 'runId'] as const).map((key) => (
            <Field key={key} label={{ userId: 'User id', agentId: 'Agent id', runId: 'Run id' }[key]}>
              <Input value={scope[key]} onChange={(e) => setScope((s) => ({ ...s, [key]: e.target.value }))} />
            </Field>
          ))}
        </div>
        <label className="row small">
          <input type="checkbox" checked={raw} onChange={toggleRaw} />
          Edit filters as JSON
        </label>
        {raw ? (
          <Field label="Filters (JSON)" hint='e.g. {"AND": [{"topic": "travel"}, {"importance": {"gte": 0.5}}]}'>
            <TextArea className="input mono" rows={6} value={rawText} onChange={(e) => setRawText(e.target.value)} />
          </Field>
        ) : (
          <>
            <FilterBuilder
              rows={rows}
              combinator={combinator}
              onChange={(r, c) => {
                setRows(r);
                setCombinator(c);
              }}
            />
            {rows.length > 0 ? (
              <pre className="filter-json muted small" data-testid="filter-json" title="The filters this search sends">
                {JSON.stringify(buildFilters(rows, combinator) ?? {})}
              </pre>
            ) : null}
          </>
        )}
        <ErrorNote error={rawError} />
        <ErrorNote error={search.error} />
      </form>
      {search.data ? (
        <section aria-label="Search results" className="stack">
          <p className="muted small">
            {search.data.results.length} {search.data.results.length === 1 ? 'result' : 'results'} (mode{' '}
            {search.data.mode})
          </p>
          {search.data.results.length === 0 ? <Empty>Nothing found.</Empty> : null}
          <ol className="hits">
            {search.data.results.map((hit) => (
              <Hit key={hit.id} hit={hit} />
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
