import { useSyncExternalStore } from 'react';
import { api, unwrap } from '../api/client';
import type { Job } from '../api/types';
import { onCredentialChange } from '../auth/tokens';
import { onLiveEvent } from './socket';

/** What the console knows of a job: from GET /jobs/:id and then from its live job_progress events. */
export interface TrackedJob {
  id: string;
  queue: string;
  state: Job['state'];
  progress: number;
  error?: string;
  result?: unknown;
  createdAt: string;
  updatedAt: string;
}

const jobs = new Map<string, TrackedJob>();
const listeners = new Set<() => void>();
let snapshot: TrackedJob[] = [];

function changed(): void {
  snapshot = [...jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const l of listeners) l();
}

function merge(id: string, patch: Partial<TrackedJob>): void {
  const now = new Date().toISOString();
  const held = jobs.get(id);
  // A late GET must not take a job back from a state its events already moved it past.
  if (held && (held.state === 'completed' || held.state === 'failed') && patch.state && patch.state !== held.state) {
    return;
  }
  jobs.set(id, {
    queue: 'unknown',
    state: 'waiting',
    progress: 0,
    createdAt: now,
    ...held,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    id,
    updatedAt: now,
  });
  changed();
}

// The store is the signed-in organization's: nothing of it outlives a sign-out.
onCredentialChange((held) => {
  if (!held) forgetJobs();
});

let following = false;

/** Every job_progress event of the organization updates the store (the Jobs page lists what it has seen). */
export function followJobs(): void {
  if (following) return;
  following = true;
  onLiveEvent((event) => {
    if (event.type !== 'job_progress') return;
    merge(String(event.job_id), {
      queue: String(event.queue),
      state: event.state as Job['state'],
      progress: Number(event.progress ?? 0),
      error: typeof event.error === 'string' ? event.error : undefined,
      result: event.result,
    });
  });
}

/** Adds a job the console started (or a job id typed in) and reads its current state. */
export async function trackJob(id: string): Promise<TrackedJob> {
  followJobs();
  const job = await unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } }));
  merge(id, {
    queue: job.queue,
    state: job.state,
    progress: job.progress,
    error: job.error,
    result: job.result,
    createdAt: job.createdAt,
  });
  return jobs.get(id)!;
}

export function forgetJobs(): void {
  jobs.clear();
  changed();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useJobs(): TrackedJob[] {
  return useSyncExternalStore(subscribe, () => snapshot);
}

export function useJob(id: string | null): TrackedJob | undefined {
  const all = useJobs();
  return id ? all.find((j) => j.id === id) : undefined;
}
