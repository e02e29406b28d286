/**
 * The IPC protocol between SandboxPool (the API process) and sandbox-host.mjs (each forked
 * sandbox process), written once: the pool imports these types, the host's JavaScript names
 * them in JSDoc and is type-checked against them (`// @ts-check`, `npm run lint`). One request at
 * a time per process; the host says `{ ready: true }` once it listens.
 */

export type SourceFormat = 'body' | 'module';

/** Run a tool's code once, in a fresh isolate. */
export interface RunRequest {
  id: number;
  op: 'run';
  source: string;
  format: SourceFormat;
  /** The arguments, as JSON text (parsed inside the isolate). */
  argsJson: string;
  timeoutMs: number;
  memoryLimitMb: number;
  allowedHosts: string[];
  allowPrivateNetworks: boolean;
  /** The tool's secrets, as `env` inside the isolate. */
  env: Record<string, string>;
  resultLimitBytes: number;
  logLimitBytes: number;
}

/** Compile source without running it: which format it has, and what is wrong with it. */
export interface CheckRequest {
  id: number;
  op: 'check';
  source: string;
}

export type HostRequest = RunRequest | CheckRequest;

export interface RunReply {
  id: number;
  status: 'ok' | 'error' | 'timeout';
  /** The result as JSON text (status ok). */
  resultJson?: string;
  error?: string;
  logs: string[];
  durationMs: number;
  cpuMs: number;
}

export interface CheckReply {
  id: number;
  format: SourceFormat;
  error: string | null;
}

export interface ReadyMessage {
  ready: true;
}

export type HostMessage = RunReply | CheckReply | ReadyMessage;
