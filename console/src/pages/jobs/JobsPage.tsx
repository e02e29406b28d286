import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, rawFetch, unwrap } from '../../api/client';
import type { Job } from '../../api/types';
import { trackJob, useJobs } from '../../live/jobs';
import type { TrackedJob } from '../../live/jobs';
import {
  Badge,
  Button,
  Empty,
  ErrorNote,
  Field,
  Input,
  Loading,
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

function fromApi(job: Job): TrackedJob {
  return {
    id: job.id,
    queue: job.queue,
    state: job.state,
    progress: job.progress,
    error: job.error,
    result: job.result,
    createdAt: job.createdAt,
    updatedAt: job.finishedAt ?? job.createdAt,
  };
}

/**
 * The organization's recent jobs (GET /jobs, newest first) joined with what the console saw live
 * (jobs it started, looked up, or heard of in job_progress events): whichever is newer wins.
 */
export function JobsPage() {
  const known = useJobs();
  const listed = useInfiniteQuery({
    queryKey: ['jobs'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/jobs', { params: { query: { limit: 50, cursor: pageParam } } })),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const jobs = useMemo(() => {
    const byId = new Map<string, TrackedJob>();
    for (const job of listed.data?.pages.flatMap((p) => p.data) ?? []) byId.set(job.id, fromApi(job));
    for (const job of known) {
      const server = byId.get(job.id);
      const liveIsNewer = !server || job.updatedAt >= server.updatedAt || server.state === job.state;
      byId.set(job.id, liveIsNewer ? { ...server, ...job, createdAt: server?.createdAt ?? job.createdAt } : server);
    }
    return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }, [listed.data, known]);
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
        Your organization&apos;s recent jobs, updated live. Finished jobs are kept a day (failed ones a week).
      </p>
      <ErrorNote error={listed.error} />
      {listed.isPending && jobs.length === 0 ? (
        <Loading />
      ) : jobs.length === 0 ? (
        <Empty>No jobs in the last days. Imports, exports and asynchronous adds appear here.</Empty>
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
      {listed.hasNextPage ? (
        <Button onClick={() => void listed.fetchNextPage()} disabled={listed.isFetchingNextPage}>
          Load older jobs
        </Button>
      ) : null}
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
