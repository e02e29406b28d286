import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { HealthIndicatorFunction } from '@nestjs/terminus';
import { Public } from '../auth/decorators.js';
import { DatabaseState } from '../database/database-state.js';
import { EmbeddingService } from '../llm/embedding/embedding.service.js';
import { VECTOR_SCHEMA } from '../memory/memory.repository.js';
import type { VectorSchemaState } from '../memory/vector-schema.js';
import { RedisProbe } from './redis-probe.js';
import { JobRunner } from '../jobs/runners/job-runner.js';
import { EventTransportLifecycle } from '../realtime/event-transport.lifecycle.js';
import { ToolsService } from '../tools/tools.service.js';

@ApiTags('health')
@ApiBadRequestResponse({ description: 'A body that is not valid JSON (probes send none)', type: ErrorResponseDto })
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisProbe,
    @Inject(JobRunner) private readonly jobs: JobRunner,
    private readonly events: EventTransportLifecycle,
    private readonly database: DatabaseState,
    private readonly embeddings: EmbeddingService,
    @Inject(VECTOR_SCHEMA) private readonly vectors: VectorSchemaState,
    private readonly tools: ToolsService,
  ) {}

  /** The process is up (for liveness probes; checks nothing else). */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready to serve: the database answers, Redis too when configured. Also says which storage
   * mode runs and whether pgvector is available (`vector: unavailable` means full-text search only),
   * and how busy the tool sandboxes are.
   */
  @Get('ready')
  @HealthCheck()
  async ready() {
    const checks: HealthIndicatorFunction[] = [
      () => this.db.pingCheck('database').withTimeout(3000),
      () =>
        this.indicators.check('storage').up({
          mode: this.database.mode,
          vector: this.database.vector ? 'available' : 'unavailable',
          ...(this.database.vector ? {} : { vectorReason: this.database.vectorReason }),
          vectorIndex: this.vectors.enabled ? (this.vectors.indexed ? 'hnsw' : 'exact') : 'none',
          vectorSearch: this.vectors.enabled ? 'on' : 'off',
          ...(this.vectors.enabled || !this.database.vector ? {} : { vectorSearchReason: this.vectors.reason }),
        }),
      () =>
        this.indicators.check('embedder').up({
          model: this.embeddings.id,
          dimensions: this.embeddings.dimensions,
          kind: this.embeddings.semantic ? 'semantic' : 'lexical',
        }),
      () => this.indicators.check('jobs').up({ backend: this.jobs.kind, events: this.events.kind }),
      // Informational: a full pool answers runs with 429, it does not make the server unready.
      () => this.indicators.check('tools').up(this.tools.sandboxLoad()),
    ];
    if (this.redis.configured) {
      checks.push(() =>
        this.indicators
          .check('redis')
          .attempt(() => this.redis.ping())
          .withTimeout(3000),
      );
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Keep the one error shape, with each check's status as the details.
      const result = error.getResponse() as { error?: Record<string, unknown>; details?: Record<string, unknown> };
      const down = Object.keys(result.error ?? {}).join(', ');
      throw new ServiceUnavailableException({
        message: `Not ready: ${down} down`,
        code: 'NOT_READY',
        details: result.details,
      });
    }
  }
}
