import { register } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { AppConfig } from '../config/app-config.js';

/** What the instrumentations patch: the ESM loader hook intercepts these and nothing else. */
const INSTRUMENTED_MODULES = ['http', 'https', 'express', 'pg', 'pg-pool', 'ioredis'];

/** Probes and scrapes: frequent, never interesting, not worth a trace each. */
const UNTRACED_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

export interface TracingOptions {
  /**
   * Where spans go instead of the OTLP exporter, each as it ends (the e2e suite passes an
   * InMemorySpanExporter); tracing then starts without OTEL_EXPORTER_OTLP_ENDPOINT. The ESM
   * loader hook is not registered then (a test's modules are already loaded by its runner):
   * only the built-in http module is patched, so the spans are the HTTP server's and the app's.
   */
  exporter?: SpanExporter;
}

/** A started SDK: `shutdown` exports the spans still buffered and stops tracing. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry (traces only) when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise does
 * nothing and loads none of the SDK (zero cost). Must run before the application's modules are
 * imported: the instrumentations of HTTP, Express, pg and ioredis patch those modules as they
 * load, and the project is ESM, so an import-in-the-middle loader hook has to be registered
 * first (main.ts and worker.ts import the rest of the server dynamically after this).
 */
export async function startTracing(
  config: AppConfig,
  role: 'api' | 'worker',
  options: TracingOptions = {},
): Promise<Tracing | null> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && !options.exporter) return null;
  if (!options.exporter) {
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
      data: { include: INSTRUMENTED_MODULES },
    });
  }
  // Loaded only now, so a server without tracing never loads the SDK.
  const [
    { NodeSDK },
    { BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler },
    { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator },
    { OTLPTraceExporter },
    { HttpInstrumentation },
    { ExpressInstrumentation, ExpressLayerType },
    { PgInstrumentation },
    { IORedisInstrumentation },
  ] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/core'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  const spanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(endpoint!) }));
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
    }),
    // Routers and handlers; the dozen anonymous middleware layers per request are noise.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    // Only inside a trace: BullMQ's polling and the pool's housekeeping would each be a trace.
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
  const sdk = new NodeSDK({
    serviceName: config.OTEL_SERVICE_NAME ?? (role === 'api' ? 'agentmem-api' : 'agentmem-worker'),
    autoDetectResources: false,
    spanProcessors: [spanProcessor],
    // Traces only: metrics are Prometheus's (/metrics), logs are pino's (with the trace id).
    metricReaders: [],
    logRecordProcessors: [],
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLE_RATIO) }),
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    instrumentations,
  });
  sdk.start();
  if (options.exporter) {
    // A test runner has loaded the server's modules already, its own way (no hook sees them).
    // The built-in http module is one object for the whole process: patch it directly, so that
    // requests to the app under test get their server spans as in a real process.
    const http = (await import('node:http')).default;
    for (const definition of instrumentations[0].getModuleDefinitions()) {
      if (definition.name !== 'http' || !definition.patch) continue;
      definition.moduleExports = http;
      definition.patch(http);
    }
  }
  return {
    shutdown: async () => {
      await sdk.shutdown();
      // The SDK leaves the patches in place; a process that goes on (a test runner) must not keep them.
      for (const instrumentation of instrumentations) instrumentation.disable();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base URL; traces go to its /v1/traces. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
