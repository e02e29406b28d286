import { useState } from 'react';
import type { FormEvent } from 'react';
import { rawFetch } from '../../api/client';
import { trackJob, useJobs } from '../../live/jobs';
import type { TrackedJob } from '../../live/jobs';
import {
  Badge,
  Button,
  Empty,
  ErrorNote,
  Field,
  Input,
  PageHeader,
  ProgressBar,
  download,
  formatTime,
} from '../../ui/kit';
import './jobs.css';

const TONE: Record<TrackedJob['state'], 'neutral' | 'good' | 'warn' | 'bad' | 'info'> = {
  waiting: 'neutral',
  active: 'info',
  delayed: 'warn',
  completed: 'good',
  failed: 'bad',
};

/**
 * The jobs this console knows: those it started or looked up, and every job_progress event it has
 * seen since sign-in (the API lists no organization-wide jobs; GET /jobs/:id reads one).
 */
export function JobsPage() {
  const jobs = useJobs();
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const lookUp = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await trackJob(id.trim());
      setId('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      <PageHeader title="Jobs" />
      <form className="card row jobs-lookup" onSubmit={(e) => void lookUp(e)} aria-label="Look up a job">
        <Field label="Job id">
          <Input value={id} onChange={(e) => setId(e.target.value)} placeholder="0193a5c2-…" required />
        </Field>
        <Button type="submit" variant="primary" disabled={busy || !id.trim()}>
          Look up
        </Button>
      </form>
      <ErrorNote error={error} />
      <p className="muted small">
        Jobs started in this console, looked up here, or seen in live updates since you signed in.
      </p>
      {jobs.length === 0 ? (
        <Empty>No jobs seen yet. Start an import or export, or look one up by id.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Queue</th>
                <th>State</th>
                <th>Progress</th>
                <th>Started</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <JobRow key={job.id} job={job} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function JobRow({ job }: { job: TrackedJob }) {
  const [error, setError] = useState<unknown>(null);
  const fetchResult = async () => {
    setError(null);
    try {
      const response = await rawFetch(`/api/v1/jobs/${job.id}/result`);
      download(`agentmem-${job.id}.jsonl`, await response.text());
    } catch (err) {
      setError(err);
    }
  };
  return (
    <tr data-testid={`job-${job.id}`}>
      <td>
        <code className="jobs-id">{job.id}</code>
        {job.state === 'failed' && job.error ? (
          <div className="note note-error small jobs-error" data-testid="job-error">
            {job.error}
          </div>
        ) : null}
        {job.state === 'completed' && job.queue === 'export' ? (
          <div>
            <Button variant="ghost" className="small" onClick={() => void fetchResult()}>
              Download result
            </Button>
          </div>
        ) : null}
        <ErrorNote error={error} />
      </td>
      <td>{job.queue}</td>
      <td>
        <span data-testid="job-state">
          <Badge tone={TONE[job.state] ?? 'neutral'}>{job.state}</Badge>
        </span>
      </td>
      <td>
        <ProgressBar value={job.state === 'completed' ? 100 : job.progress} label={`Progress of job ${job.id}`} />
      </td>
      <td className="small">{formatTime(job.createdAt)}</td>
      <td className="small">{formatTime(job.updatedAt)}</td>
    </tr>
  );
}
