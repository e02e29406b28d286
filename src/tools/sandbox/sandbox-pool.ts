import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { ToolError, ToolErrorCode } from '../tools.errors.js';
import type { CheckReply, HostMessage, HostRequest, RunReply, RunRequest, SourceFormat } from './protocol.js';

export type { SourceFormat };

/** One call of a tool's code: the run request without what the pool adds (its id, the server's limits). */
export type SandboxRequest = Pick<
  RunRequest,
  'source' | 'format' | 'argsJson' | 'timeoutMs' | 'memoryLimitMb' | 'allowedHosts' | 'env'
>;

/** What a run gave: the result as JSON text, or an error; always the captured console lines. */
export type SandboxResult = Omit<RunReply, 'id'>;

export const RESULT_LIMIT_BYTES = 1024 * 1024;
export const LOG_LIMIT_BYTES = 64 * 1024;
/** Time a sandbox process gets beyond a run's own timeout before it is killed from here. */
const KILL_GRACE_MS = 2000;

const HOST_SCRIPT = fileURLToPath(new URL('./sandbox-host.mjs', import.meta.url));

/** A host's answer, or one made here for a run the host could not answer (a crash, a timeout, shutdown). */
type Reply = Partial<Omit<RunReply, 'error'> & Omit<CheckReply, 'error'>> & { id: number; error?: string | null };
/** A request before it is given its id. */
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  message: HostRequest;
  /** The process it was handed to. */
  child?: ChildProcess;
  deadlineMs: number;
  resolve: (reply: Reply) => void;
}

/**
 * One child process running sandbox-host.mjs; it serves one request at a time. If it dies
 * (a V8 out-of-memory abort, a kill) or overstays a run's timeout, the request is answered
 * here and the process is replaced on the next use.
 */
class SandboxProcess {
  private child: ChildProcess | null = null;
  private current: Pending | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly onIdle: (p: SandboxProcess) => void,
  ) {}

  get busy(): boolean {
    return this.current !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  send(job: Pending): void {
    this.current = job;
    let child: ChildProcess;
    try {
      child = this.child ?? this.spawn();
      job.child = child;
      child.send(job.message);
    } catch (error) {
      this.child = null;
      this.logger.error({ err: error }, 'could not hand a run to a sandbox process');
      this.finish({
        id: job.message.id,
        status: 'error',
        error: 'no sandbox process could be started; try again',
        logs: [],
      });
      return;
    }
    this.watchdog = setTimeout(() => {
      this.logger.warn({ pid: child.pid }, 'sandbox process overstayed a run: killed');
      // The next run must not go to the dying process, even if its reply is already on the way.
      if (this.child === child) this.child = null;
      child.kill('SIGKILL');
      this.finish({
        id: job.message.id,
        status: 'timeout',
        error: `the tool ran longer than its timeout of ${job.deadlineMs} ms`,
        logs: [],
      });
    }, job.deadlineMs + KILL_GRACE_MS);
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  private spawn(): ChildProcess {
    // An empty environment: nothing of the server's configuration is in the sandbox's memory.
    const child = fork(HOST_SCRIPT, [], {
      execArgv: ['--no-node-snapshot'],
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    let started = false;
    child.on('message', (reply: HostMessage) => {
      if ('ready' in reply) {
        started = true;
        return;
      }
      if (this.current?.child !== child || reply.id !== this.current.message.id) return;
      this.finish(reply);
    });
    // Only the run that was in this very process fails with it.
    const lost = (why: string) => {
      if (this.child === child) this.child = null;
      const job = this.current;
      if (!job || job.child !== child) return;
      this.finish({ id: job.message.id, status: 'error', error: why, logs: [] });
    };
    child.on('exit', (code, signal) => {
      if (!started) {
        // It never loaded (e.g. isolated-vm's native addon missing: npm ci ran without its install script).
        this.logger.error({ code, signal, stderr: stderr.slice(-1000) }, 'sandbox process could not start');
        const reason = /^\w*Error: .*$/m.exec(stderr)?.[0].slice(0, 300) ?? `exit code ${code}`;
        lost(`the tool sandbox could not start (${reason}); see the server log`);
        return;
      }
      if (this.current?.child === child)
        this.logger.error({ code, signal, stderr: stderr.slice(-500) }, 'sandbox process died during a run');
      lost(
        `the sandbox process ended during the run (${signal ?? `exit code ${code}`}); most often the tool went over its memory limit`,
      );
    });
    child.on('error', (error) => {
      this.logger.error({ err: error }, 'sandbox process error');
      // A process that never started sends no 'exit'.
      if (child.pid === undefined) lost('no sandbox process could be started; try again');
    });
    this.child = child;
    return child;
  }

  private finish(reply: Reply): void {
    const job = this.current;
    if (!job) return;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    this.current = null;
    job.resolve(reply);
    this.onIdle(this);
  }
}

/**
 * A bounded pool of sandbox processes (TOOLS_CONCURRENCY), each running one tool call at a time
 * in a fresh V8 isolate (isolated-vm). Requests beyond the pool wait in a queue of at most
 * TOOLS_QUEUE_MAX; one more is refused with 429 instead of waiting without bound. Processes
 * start on first use and stay for the next calls.
 */
@Injectable()
export class SandboxPool implements OnModuleDestroy {
  private readonly logger = new Logger('Sandbox');
  private readonly processes: SandboxProcess[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly stopCollecting: () => void;

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    for (let i = 0; i < config.TOOLS_CONCURRENCY; i += 1)
      this.processes.push(new SandboxProcess(this.logger, (p) => this.next(p)));
    this.stopCollecting = metrics.onCollect(() => {
      const load = this.load;
      metrics.sandboxBusy.set(load.running);
      metrics.sandboxWaiting.set(load.waiting);
      metrics.sandboxCapacity.set(load.sandboxes);
    });
  }

  /** Runs tool code; the answer always comes (a timeout, a crash and an OOM are results). */
  async run(request: SandboxRequest): Promise<SandboxResult> {
    const reply = await this.enqueue(
      {
        op: 'run',
        ...request,
        allowPrivateNetworks: this.config.TOOLS_FETCH_PRIVATE_NETWORKS,
        resultLimitBytes: RESULT_LIMIT_BYTES,
        logLimitBytes: LOG_LIMIT_BYTES,
      },
      request.timeoutMs,
    );
    return {
      status: reply.status ?? 'error',
      ...(reply.resultJson !== undefined ? { resultJson: reply.resultJson } : {}),
      ...(reply.error ? { error: reply.error } : {}),
      logs: reply.logs ?? [],
      durationMs: reply.durationMs ?? 0,
      cpuMs: reply.cpuMs ?? 0,
    };
  }

  /**
   * Compiles source without running it: its format (a function body, or a module exporting a
   * function) and what is wrong with it (a syntax error, an import), if anything.
   */
  async check(source: string): Promise<{ format: SourceFormat; error: string | null }> {
    const reply = await this.enqueue({ op: 'check', source }, 5000);
    if (reply.status === 'timeout' || reply.status === 'error')
      throw new ToolError(
        ToolErrorCode.SandboxUnavailable,
        `the source could not be checked: ${reply.error ?? 'the sandbox did not answer'}`,
      );
    return { format: reply.format ?? 'body', error: reply.error ?? null };
  }

  /** How busy the pool is (for /health/ready). */
  get load(): { sandboxes: number; running: number; waiting: number; queueMax: number } {
    return {
      sandboxes: this.processes.length,
      running: this.processes.filter((p) => p.busy).length,
      waiting: this.queue.length,
      queueMax: this.config.TOOLS_QUEUE_MAX,
    };
  }

  /** Process ids of the sandboxes running a call now. */
  get busyPids(): number[] {
    return this.processes.filter((p) => p.busy && p.pid !== undefined).map((p) => p.pid as number);
  }

  onModuleDestroy(): void {
    this.stopCollecting();
    this.closed = true;
    for (const p of this.processes) p.stop();
    for (const job of this.queue.splice(0))
      job.resolve({ id: job.message.id, status: 'error', error: 'the server is shutting down', logs: [] });
  }

  private enqueue(message: Unsent<HostRequest>, deadlineMs: number): Promise<Reply> {
    if (this.closed) throw new ToolError(ToolErrorCode.SandboxUnavailable, 'the server is shutting down');
    const idle = this.processes.find((p) => !p.busy);
    if (!idle && this.queue.length >= this.config.TOOLS_QUEUE_MAX) {
      throw new ToolError(
        ToolErrorCode.QueueFull,
        `tool runs are queued to the limit (${this.config.TOOLS_QUEUE_MAX} waiting, TOOLS_QUEUE_MAX); retry shortly`,
      );
    }
    return new Promise<Reply>((resolve) => {
      const job: Pending = { message: { ...message, id: this.nextId++ }, deadlineMs, resolve };
      if (idle) idle.send(job);
      else this.queue.push(job);
    });
  }

  private next(p: SandboxProcess): void {
    const job = this.queue.shift();
    if (job) p.send(job);
  }
}
