import { Injectable } from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: from a cached read (sub-millisecond) to a slow LLM call (a minute). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds: jobs run from milliseconds (one add) to many minutes (an import). */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

const tracer = trace.getTracer('agentmem');

/**
 * Every metric the server exports, in one catalogue (docs/ops/alerts.yaml and the Grafana
 * dashboard name them; a test checks that each one they use is here). One registry per
 * application (tests start several in one process), served at /metrics by the API and on
 * METRICS_PORT by a worker. Values that exist elsewhere (queue counts, pool use) are read when
 * scraped, by the collectors modules register with `onCollect`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly collectors = new Set<() => void | Promise<void>>();

  readonly httpDuration = new Histogram({
    name: 'agentmem_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly searchDuration = new Histogram({
    name: 'agentmem_search_duration_seconds',
    help: 'Memory searches by mode (hybrid, vector, text) and leg: total; embed (the query vector); statement (the SQL search); index_text, index_vector, index_fuse, index_rows (the in-process index); rerank',
    labelNames: ['mode', 'leg'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly memoryAdds = new Counter({
    name: 'agentmem_memory_adds_total',
    help: 'Adds by path: sync and async_processed count add calls (a request, a job), async_enqueued the adds queued, import the rows an import stored',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });

  readonly embeddingDuration = new Histogram({
    name: 'agentmem_embedding_duration_seconds',
    help: 'Calls of the embedder (texts no cache had), by embedder',
    labelNames: ['embedder'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly embeddingCache = new Counter({
    name: 'agentmem_embedding_cache_lookups_total',
    help: 'Texts looked up in the embedding cache, by level (memory, redis) and result (hit, miss)',
    labelNames: ['level', 'result'] as const,
    registers: [this.registry],
  });

  readonly hotCache = new Counter({
    name: 'agentmem_hot_cache_lookups_total',
    help: 'Reads of the hot-read cache (agents, blocks), by cache and result (hit, miss)',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  readonly llmRequests = new Counter({
    name: 'agentmem_llm_requests_total',
    help: 'Chat model calls by provider, model and outcome (ok, error)',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly llmDuration = new Histogram({
    name: 'agentmem_llm_duration_seconds',
    help: 'Chat model calls by provider and model',
    labelNames: ['provider', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'agentmem_llm_tokens_total',
    help: 'Tokens of chat model calls by provider, model and kind (input, output)',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'agentmem_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed), read when scraped',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'agentmem_job_duration_seconds',
    help: 'Job attempts by queue and outcome (completed, failed)',
    labelNames: ['queue', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });

  readonly jobsFailed = new Counter({
    name: 'agentmem_jobs_failed_total',
    help: 'Jobs failed for good (no attempts left), by queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly socketConnections = new Gauge({
    name: 'agentmem_socketio_connections',
    help: 'Socket.IO clients connected to this process',
    registers: [this.registry],
  });

  readonly sseStreams = new Gauge({
    name: 'agentmem_sse_streams',
    help: 'SSE streams open on this process',
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'agentmem_events_published_total',
    help: 'Domain events published by this process, by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly eventsDelivered = new Counter({
    name: 'agentmem_events_delivered_total',
    help: 'Events handed to clients of this process, by channel (socketio, sse, webhook)',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly eventLag = new Histogram({
    name: 'agentmem_event_delivery_lag_seconds',
    help: "Time from an event's publication to its delivery by this process, by channel",
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly sandboxBusy = new Gauge({
    name: 'agentmem_sandbox_busy',
    help: 'Sandboxes running a tool now',
    registers: [this.registry],
  });

  readonly sandboxWaiting = new Gauge({
    name: 'agentmem_sandbox_waiting',
    help: 'Tool runs waiting for a free sandbox',
    registers: [this.registry],
  });

  readonly sandboxCapacity = new Gauge({
    name: 'agentmem_sandbox_capacity',
    help: 'Sandboxes this process may run at once (TOOLS_CONCURRENCY)',
    registers: [this.registry],
  });

  readonly toolRuns = new Counter({
    name: 'agentmem_tool_runs_total',
    help: 'Tool runs by status (ok, error, timeout; invalid: arguments an agent gave against the schema; rejected: refused with 429, every sandbox busy and the queue full)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly dbPool = new Gauge({
    name: 'agentmem_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting), read when scraped',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly dbUp = new Gauge({
    name: 'agentmem_db_up',
    help: '1 when the database answered the last check, 0 otherwise',
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'agentmem_rate_limited_total',
    help: 'Refusals by a limit: requests_per_minute_{apiKey,user,organization}, tool_runs_per_minute, memories_stored',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'agentmem_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed; dropped: the webhook was deleted or paused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs `collect` before each scrape (values read from elsewhere); returns its removal. */
  onCollect(collect: () => void | Promise<void>): () => void {
    this.collectors.add(collect);
    return () => this.collectors.delete(collect);
  }

  /** The exposition text (Prometheus format). A failing collector leaves its gauges as they were. */
  async render(): Promise<string> {
    await Promise.allSettled([...this.collectors].map(async (collect) => collect()));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Counts an event handed to `clients` clients of a channel and records its delivery lag (from
   * its publication, `occurredAt`; other processes' clocks may differ a little: never below 0).
   */
  eventDelivered(channel: 'socketio' | 'sse' | 'webhook', occurredAt: string, clients = 1): void {
    if (clients === 0) return;
    this.eventsDelivered.inc({ channel }, clients);
    this.eventLag.observe({ channel }, Math.max(0, (Date.now() - Date.parse(occurredAt)) / 1000));
  }

  /**
   * Runs `work` in a span named `span` (a child of the active one; nothing without a tracer)
   * and records its seconds in `histogram` with `labels`, whether it succeeds or throws.
   */
  timed<L extends string, T>(
    span: string,
    histogram: Histogram<L>,
    labels: Partial<Record<L, string | number>>,
    work: () => Promise<T>,
    attributes: Attributes = {},
  ): Promise<T> {
    return this.observed(span, histogram, labels, work, attributes);
  }

  /** timed() for synchronous work (the in-process search legs): no promise on their path. */
  timedSync<L extends string, T>(
    span: string,
    histogram: Histogram<L>,
    labels: Partial<Record<L, string | number>>,
    work: () => T,
  ): T {
    return this.observed(span, histogram, labels, work, {});
  }

  /** The span and the timer around `work`, ended when it returns, or when the promise it returns settles. */
  private observed<L extends string, T>(
    span: string,
    histogram: Histogram<L>,
    labels: Partial<Record<L, string | number>>,
    work: () => T,
    attributes: Attributes,
  ): T {
    const stop = histogram.startTimer(labels);
    return tracer.startActiveSpan(span, { attributes: { ...labels, ...attributes } }, (s) => {
      const end = (failure?: { error: unknown }) => {
        if (failure) {
          s.recordException(failure.error as Error);
          s.setStatus({ code: SpanStatusCode.ERROR, message: (failure.error as Error).message });
        }
        stop();
        s.end();
      };
      let result: T;
      try {
        result = work();
      } catch (error) {
        end({ error });
        throw error;
      }
      if (!(result instanceof Promise)) {
        end();
        return result;
      }
      return result.then(
        (value: unknown) => {
          end();
          return value;
        },
        (error: unknown) => {
          end({ error });
          throw error;
        },
      ) as T;
    });
  }
}
