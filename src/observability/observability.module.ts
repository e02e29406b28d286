import { Global, Module } from '@nestjs/common';
import { MetricsServer } from './metrics-server.js';
import { MetricsService } from './metrics.service.js';

/**
 * The metrics catalogue, for every module to record into (one registry per application), and
 * its server on METRICS_PORT when set (API and worker).
 */
@Global()
@Module({
  providers: [MetricsService, MetricsServer],
  exports: [MetricsService],
})
export class ObservabilityModule {}
