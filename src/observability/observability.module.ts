import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** The metrics catalogue, for every module to record into (one registry per application). */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class ObservabilityModule {}
