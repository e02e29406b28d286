import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import type { Request } from 'express';
import { AgentsModule } from './agents/agents.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CommonModule } from './common/common.module.js';
import { CompatModule } from './compat/compat.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { AppConfig } from './config/app-config.js';
import type { BootResources } from './config/boot-resources.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LimitsModule } from './limits/limits.module.js';
import type { Embedder } from './llm/embedding/embedder.js';
import { LlmModule } from './llm/llm.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { MemoryModule } from './memory/memory.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { EventsModule } from './realtime/events.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { ToolsModule } from './tools/tools.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** The active span's ids on every log line written inside a trace (nothing when tracing is off). */
function traceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}

/** Headers and fields that never reach a log line. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.query.token',
  'res.headers["set-cookie"]',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
];

@Module({})
export class AppModule {
  /**
   * `api`: the HTTP server with its gateways (and the job processors unless JOBS_IN_PROCESS=false);
   * `worker`: the same modules without realtime clients, running the job processors.
   */
  static forRoot(
    config: AppConfig,
    embedder: Embedder,
    resources?: BootResources,
    role: 'api' | 'worker' = 'api',
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, resources),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            mixin: traceIds,
            genReqId: (req) => String((req as Request & { id?: string }).id),
            redact: { paths: REDACT, censor: '[redacted]' },
            // EventSource clients pass their credential as ?token= (SSE routes only).
            serializers: {
              req: (req: { url?: string }) => ({ ...req, url: req.url?.replace(/([?&]token=)[^&]*/g, '$1[redacted]') }),
            },
            customLogLevel: (_req, res, err) =>
              err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          },
        }),
        CommonModule,
        ObservabilityModule,
        DatabaseModule.forRoot(),
        LlmModule.forRoot(embedder),
        EventsModule,
        JobsModule.forRoot({ workers: role === 'worker' || config.JOBS_IN_PROCESS }),
        AuthModule,
        LimitsModule,
        AgentsModule,
        MemoryModule,
        ToolsModule,
        MaintenanceModule,
        WebhooksModule,
        ...(role === 'api' ? [RealtimeModule, CompatModule] : []),
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
