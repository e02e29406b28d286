import type { ToolRun } from '../entities/tool-run.entity.js';

/** The answer of POST /tools/:id/run. */
export class ToolRunResultDto {
  /** The record of this run (see GET /tools/:id/runs). */
  runId: string;
  /** ok: the tool returned; error: it threw, went over a limit, or its result was not JSON; timeout: it ran out of time. */
  status: 'ok' | 'error' | 'timeout';
  /** What the tool returned (as JSON), when ok. */
  result?: unknown;
  error?: string;
  /** Wall-clock time of the run in the sandbox, including the isolate's start. */
  durationMs: number;
  /** CPU time the tool's code used. */
  cpuMs: number;
  /** Its console output, capped at 64 KB. */
  logs: string[];
}

export class ToolRunResponseDto {
  id: string;
  toolId: string;
  /** The credential (`api_key:<id>`, `user:<id>`) or agent (`agent:<id>`) that ran it. */
  caller: string;
  agentId: string | null;
  /** SHA-256 of the arguments as canonical JSON. */
  argsHash: string;
  status: 'ok' | 'error' | 'timeout';
  durationMs: number;
  cpuMs: number | null;
  error: string | null;
  createdAt: Date;

  static from(this: void, r: ToolRun): ToolRunResponseDto {
    return {
      id: r.id,
      toolId: r.toolId,
      caller: r.caller,
      agentId: r.agentId,
      argsHash: r.argsHash,
      status: r.status,
      durationMs: r.durationMs,
      cpuMs: r.cpuMs,
      error: r.error,
      createdAt: r.createdAt,
    };
  }
}

export class ToolRunPageResponseDto {
  data: ToolRunResponseDto[];
  nextCursor: string | null;
}
