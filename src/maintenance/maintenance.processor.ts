import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ProcessesQueue } from '../jobs/processes-queue.decorator.js';
import { QueueName } from '../jobs/jobs.types.js';
import type { JobHandle, JobProcessor } from '../jobs/jobs.types.js';
import { ToolsService } from '../tools/tools.service.js';
import { MemoryService } from '../memory/memory.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';

export interface MaintenanceResult {
  expired: number;
  purged: number;
  toolRuns: number;
  results: number;
  jobs: number;
  webhookDeliveries: number;
}

declare module '../jobs/jobs.types.js' {
  interface JobMap {
    maintenance: { data: Record<string, never>; result: MaintenanceResult };
  }
}

/**
 * The scheduled housekeeping (every MAINTENANCE_INTERVAL_MINUTES): deletes working memories past
 * their expiry, removes memories deleted longer ago than HISTORY_RETENTION_DAYS with their
 * history, tool run records older than TOOL_RUN_RETENTION_DAYS, old job results, and webhook
 * delivery attempts older than WEBHOOKS_DELIVERY_RETENTION_DAYS. Every step
 * is idempotent.
 */
@ProcessesQueue(QueueName.Maintenance)
export class MaintenanceProcessor implements JobProcessor<typeof QueueName.Maintenance> {
  constructor(
    private readonly memories: MemoryService,
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
    private readonly tools: ToolsService,
    private readonly webhooks: WebhooksService,
  ) {}

  async process(job: JobHandle<Record<string, never>>): Promise<MaintenanceResult> {
    const expired = await this.memories.expireDue();
    await job.updateProgress(40);
    const purged =
      this.config.HISTORY_RETENTION_DAYS > 0 ? await this.memories.purgeDeleted(this.config.HISTORY_RETENTION_DAYS) : 0;
    await job.updateProgress(60);
    const toolRuns =
      this.config.TOOL_RUN_RETENTION_DAYS > 0 ? await this.tools.pruneRuns(this.config.TOOL_RUN_RETENTION_DAYS) : 0;
    await job.updateProgress(80);
    const pruned = await this.jobs.prune();
    const webhookDeliveries =
      this.config.WEBHOOKS_DELIVERY_RETENTION_DAYS > 0
        ? await this.webhooks.pruneDeliveries(this.config.WEBHOOKS_DELIVERY_RETENTION_DAYS)
        : 0;
    return { expired, purged, toolRuns, ...pruned, webhookDeliveries };
  }
}
