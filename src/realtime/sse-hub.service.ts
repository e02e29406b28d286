import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import { AuthService } from '../auth/auth.service.js';
import { uuidv7 } from '../common/ids.js';
import { EventBus } from '../common/events/event-bus.js';
import type { DomainEvent } from '../common/events/event-bus.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { toClientEvent } from './realtime.events.js';
import type { ClientEvent } from './realtime.events.js';
import { credentialVerdict, CREDENTIAL_RECHECK_MS } from './credential-check.js';
import { RealtimeError, RealtimeErrorCode } from './realtime.errors.js';
import { ReplayBuffer } from './replay-buffer.js';

interface Stream {
  organizationId: string;
  /** What the client authenticated with, checked again every CREDENTIAL_RECHECK_MS. */
  credential: string;
  res: Response;
  keepAlive: NodeJS.Timeout;
  /** events: domain events (all of the organization, or one agent's); llm: one request's chunks. */
  kind: 'events' | 'llm';
  agentId: string | null;
  requestId: string | null;
}

interface Caller {
  organizationId: string;
  credential: string;
}

interface Replayed {
  id: string;
  event: ClientEvent;
}

/** Chunks of one LLM request, kept a minute after its last one for late or reconnecting clients. */
interface LlmRequest {
  chunks: { id: string; data: Record<string, unknown>; final: boolean }[];
  expiresAt: number;
}

const LLM_KEEP_MS = 60_000;
const LLM_MAX_CHUNKS = 10_000;

/**
 * The open Server-Sent Events streams of this process. Every domain event the bus delivers
 * (from any process) is written to the streams of its organization that want it; the newest
 * events are kept for clients resuming with Last-Event-ID.
 */
@Injectable()
export class SseHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly streams = new Map<string, Set<Stream>>();
  private readonly replay: ReplayBuffer<Replayed>;
  private readonly llm = new Map<string, LlmRequest>();
  private unsubscribe: (() => void) | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private rechecker: NodeJS.Timeout | null = null;
  private stopCollecting: (() => void) | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly metrics: MetricsService,
  ) {
    this.replay = new ReplayBuffer(config.SSE_REPLAY_EVENTS);
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.onEvent(event));
    this.stopCollecting = this.metrics.onCollect(() => this.metrics.sseStreams.set(this.size));
    this.sweeper = setInterval(() => this.sweepLlmRequests(), LLM_KEEP_MS / 2).unref();
    this.rechecker = setInterval(() => void this.recheckCredentials(), CREDENTIAL_RECHECK_MS).unref();
  }

  /**
   * Ends the streams whose credential no longer holds (revoked key, deleted user, expired
   * token), with an `error` event first. A check that fails for another reason (the database
   * is down) keeps the stream.
   */
  async recheckCredentials(): Promise<void> {
    const streams = [...this.streams.values()].flatMap((set) => [...set]);
    for (const stream of streams) {
      const verdict = await credentialVerdict(this.auth, stream.credential, stream.organizationId);
      if (verdict === 'valid' || verdict === 'unknown') continue;
      write(stream.res, uuidv7(), 'error', {
        type: 'error',
        code: 'UNAUTHENTICATED',
        message: verdict,
        timestamp: new Date().toISOString(),
      });
      this.close(stream);
    }
  }

  /** Open streams in this process (tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Starts an event stream: replays what the client missed, then follows new events. */
  openEvents(res: Response, caller: Caller, agentId: string | null, lastEventId: string | null): void {
    const { organizationId } = caller;
    const stream = this.open(res, { ...caller, kind: 'events', agentId, requestId: null });
    if (!stream) return;
    if (lastEventId) {
      for (const r of this.replay.after(organizationId, lastEventId))
        if (wants(stream, r.event)) write(res, r.id, r.event.name, r.event.data);
    }
  }

  /** Streams one LLM request's chunks (those already produced first); ends after the final one. */
  openLlm(res: Response, caller: Caller, requestId: string, lastEventId: string | null): void {
    const { organizationId } = caller;
    const stream = this.open(res, { ...caller, kind: 'llm', agentId: null, requestId });
    if (!stream) return;
    const request = this.llm.get(llmKey(organizationId, requestId));
    if (!request) return;
    const start = lastEventId ? request.chunks.findIndex((c) => c.id === lastEventId) + 1 : 0;
    for (const chunk of request.chunks.slice(start)) {
      write(res, chunk.id, null, chunk.data);
      if (chunk.final) return this.close(stream);
    }
  }

  /** Starts the response; null when the client left while the request was being checked. */
  private open(res: Response, spec: Omit<Stream, 'res' | 'keepAlive'>): Stream | null {
    // 'close' fired already (and will not again) if the client went away during the awaits
    // before this: such a stream would never be released.
    if (res.destroyed || res.req.socket.destroyed) return null;
    const open = this.streams.get(spec.organizationId)?.size ?? 0;
    if (open >= this.config.SSE_MAX_STREAMS_PER_ORG) {
      throw new RealtimeError(
        RealtimeErrorCode.TooManyStreams,
        `Too many open streams for this organization (at most ${this.config.SSE_MAX_STREAMS_PER_ORG} per server)`,
      );
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), this.config.SSE_KEEPALIVE_SECONDS * 1000);
    const stream: Stream = { ...spec, res, keepAlive };
    let set = this.streams.get(spec.organizationId);
    if (!set) this.streams.set(spec.organizationId, (set = new Set()));
    set.add(stream);
    res.on('close', () => this.release(stream));
    return stream;
  }

  private onEvent(event: DomainEvent): void {
    if (event.name === 'llm.chunk') return this.onLlmChunk(event);
    const clientEvent = toClientEvent(event);
    if (!clientEvent) return;
    this.replay.add(event.organizationId, { id: event.id, event: clientEvent });
    let reached = 0;
    for (const stream of this.streams.get(event.organizationId) ?? []) {
      if (stream.kind === 'events' && wants(stream, clientEvent)) {
        write(stream.res, event.id, clientEvent.name, clientEvent.data);
        reached += 1;
      }
    }
    this.metrics.eventDelivered('sse', event.occurredAt, reached);
  }

  private onLlmChunk(event: DomainEvent<'llm.chunk'>): void {
    const p = event.payload;
    const final = p.isFinal;
    const data = { request_id: p.requestId, chunk: p.chunk, is_final: final };
    const key = llmKey(event.organizationId, p.requestId);
    let request = this.llm.get(key);
    if (!request) this.llm.set(key, (request = { chunks: [], expiresAt: 0 }));
    if (request.chunks.length < LLM_MAX_CHUNKS) request.chunks.push({ id: event.id, data, final });
    request.expiresAt = Date.now() + LLM_KEEP_MS;
    let reached = 0;
    for (const stream of this.streams.get(event.organizationId) ?? []) {
      if (stream.kind !== 'llm' || stream.requestId !== p.requestId) continue;
      write(stream.res, event.id, null, data);
      reached += 1;
      if (final) this.close(stream);
    }
    this.metrics.eventDelivered('sse', event.occurredAt, reached);
  }

  private sweepLlmRequests(): void {
    const now = Date.now();
    for (const [key, request] of this.llm) if (request.expiresAt < now) this.llm.delete(key);
  }

  private close(stream: Stream): void {
    this.release(stream);
    stream.res.end();
  }

  private release(stream: Stream): void {
    clearInterval(stream.keepAlive);
    const set = this.streams.get(stream.organizationId);
    set?.delete(stream);
    if (set?.size === 0) this.streams.delete(stream.organizationId);
  }

  /** Ends every stream, or the HTTP server would wait for them forever when stopping. */
  beforeApplicationShutdown(): void {
    this.stopCollecting?.();
    this.unsubscribe?.();
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.rechecker) clearInterval(this.rechecker);
    for (const set of [...this.streams.values()]) for (const stream of [...set]) this.close(stream);
  }
}

function wants(stream: Stream, event: ClientEvent): boolean {
  return stream.agentId ? event.agentId === stream.agentId : event.audience === 'organization';
}

function write(res: Response, id: string, name: string | null, data: unknown): void {
  res.write(`id: ${id}\n${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
}

function llmKey(organizationId: string, requestId: string): string {
  return `${organizationId}:${requestId}`;
}
