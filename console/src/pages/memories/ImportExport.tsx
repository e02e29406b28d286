import { useEffect, useRef, useState } from 'react';
import type { ChangeEvent } from 'react';
import { api, rawFetch, unwrap } from '../../api/client';
import type { TrackedJob } from '../../live/jobs';
import { trackJob, useJob } from '../../live/jobs';
import { Badge, Button, ErrorNote, ProgressBar, download } from '../../ui/kit';
import type { BrowseFilter } from './api';

export interface ImportStarted {
  jobId: string;
  rows: number;
  file: string;
}

/** Picks a JSON Lines file and sends it whole to POST /memories/import (checked whole before anything is stored). */
export function ImportButton({ onStarted }: { onStarted: (started: ImportStarted) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const response = await rawFetch('/api/v1/memories/import', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson' },
        body: await file.text(),
      });
      const accepted = (await response.json()) as { jobId: string; rows: number };
      onStarted({ ...accepted, file: file.name });
      await trackJob(accepted.jobId);
    } catch (e) {
      setError(e);
    } finally {
      input.value = '';
      setBusy(false);
    }
  }

  return (
    <span className="import-control">
      <label className={`btn file-button${busy ? ' busy' : ''}`}>
        Import JSON Lines
        <input
          type="file"
          accept=".jsonl,.ndjson,application/x-ndjson,application/json,text/plain"
          className="visually-hidden"
          disabled={busy}
          onChange={(e) => void upload(e)}
        />
      </label>
      {error ? <ErrorNote error={error} /> : null}
    </span>
  );
}

/** 100 once the job completed (its last progress event may say less), else its reported progress. */
function percentOf(job: TrackedJob | undefined): number {
  if (!job) return 0;
  return job.state === 'completed' ? 100 : job.progress;
}

function StateBadge({ job }: { job: TrackedJob | undefined }) {
  const state = job?.state ?? 'waiting';
  const tone = state === 'completed' ? 'good' : state === 'failed' ? 'bad' : 'info';
  return <Badge tone={tone}>{state}</Badge>;
}

/** An import's progress, from its live job_progress events, and what it stored. */
export function ImportProgress({ started, onClose }: { started: ImportStarted; onClose: () => void }) {
  const job = useJob(started.jobId);
  const result =
    job?.state === 'completed' ? (job.result as { stored?: number; skipped?: number } | undefined) : undefined;
  return (
    <section className="card stack job-card" aria-label="Import" data-testid="import-job">
      <div className="row">
        <h2 className="grow">
          Import of {started.file} ({started.rows} lines)
        </h2>
        <StateBadge job={job} />
        <Button variant="ghost" onClick={onClose} aria-label="Close import">
          ✕
        </Button>
      </div>
      <ProgressBar value={percentOf(job)} label="Import progress" />
      {result ? (
        <p data-testid="import-result">
          Stored {result.stored ?? 0}, skipped {result.skipped ?? 0} (already present).
        </p>
      ) : null}
      {job?.state === 'failed' ? <ErrorNote error={job.error ?? 'The import failed'} /> : null}
    </section>
  );
}

/** Starts an export of the memories the list shows (its scope and type). */
export function ExportButton({ filter, onStarted }: { filter: BrowseFilter; onStarted: (jobId: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const { userId, agentId, runId, type } = filter;
      const { jobId } = await unwrap(api.POST('/api/v1/memories/export', { body: { userId, agentId, runId, type } }));
      onStarted(jobId);
      await trackJob(jobId);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button onClick={() => void start()} disabled={busy}>
        Export
      </Button>
      {error ? <ErrorNote error={error} /> : null}
    </>
  );
}

/** An export's progress; once it completed, its JSON Lines are fetched and downloaded. */
export function ExportProgress({ jobId, onClose }: { jobId: string; onClose: () => void }) {
  const job = useJob(jobId);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fetched = useRef(false);
  const filename = `memories-${jobId.slice(0, 8)}.jsonl`;

  useEffect(() => {
    if (job?.state !== 'completed' || fetched.current) return;
    fetched.current = true;
    rawFetch(`/api/v1/jobs/${jobId}/result`)
      .then((r) => r.text())
      .then((body) => {
        setText(body);
        download(filename, body);
      })
      .catch(setError);
  }, [job?.state, jobId, filename]);

  const lines = text === null ? 0 : text.split('\n').filter((l) => l.trim() !== '').length;
  return (
    <section className="card stack job-card" aria-label="Export" data-testid="export-job">
      <div className="row">
        <h2 className="grow">Export</h2>
        <StateBadge job={job} />
        <Button variant="ghost" onClick={onClose} aria-label="Close export">
          ✕
        </Button>
      </div>
      <ProgressBar value={percentOf(job)} label="Export progress" />
      {text !== null ? (
        <div className="row">
          <span data-testid="export-result">
            {lines} memories exported to {filename}.
          </span>
          <Button onClick={() => download(filename, text)}>Download again</Button>
        </div>
      ) : null}
      {job?.state === 'failed' ? <ErrorNote error={job.error ?? 'The export failed'} /> : null}
      <ErrorNote error={error} />
    </section>
  );
}
