import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../common/events/event-bus.js';
import type { DomainEvent } from '../common/events/event-bus.js';
import { AppConfig } from '../config/app-config.js';
import { QueueName } from '../jobs/jobs.types.js';
import { JobRunner } from '../jobs/runners/job-runner.js';
import type { WebhookDeliveryData } from './webhook-delivery.processor.js';
import { toWebhookPayload } from './webhook-events.js';
import { deliveryId } from './webhook-signature.js';
import { WebhookRepository } from './webhook.repository.js';

/**
 * Turns domain events into delivery jobs, one per subscribed webhook. Every process (API
 * replicas and workers) receives every event from the bus and queues it: the job id is derived
 * from the webhook and the event (deliveryId), and the queue adds a job whose id it holds only
 * once, so each event reaches each endpoint once however many processes run.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly webhooks: WebhookRepository,
    @Inject(JobRunner) private readonly runner: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.dispatch(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async dispatch(event: DomainEvent): Promise<void> {
    const payload = toWebhookPayload(event);
    if (!payload) return;
    const targets = await this.webhooks.subscribedAcrossTenants(event.organizationId, payload.type);
    for (const { id } of targets) {
      const data: WebhookDeliveryData = { webhookId: id, payload };
      // A system job (no caller, no organization on the envelope): it publishes no job events
      // of its own, and GET /jobs/:id does not show it; the delivery log does.
      await this.runner
        .enqueue(
          QueueName.WebhookDelivery,
          { organizationId: null, principal: null, payload: data },
          deliveryId(id, event.id),
          { attempts: this.config.WEBHOOKS_ATTEMPTS, backoffMs: this.config.WEBHOOKS_BACKOFF_MS },
        )
        .catch((error: unknown) =>
          this.logger.error({ err: error, webhook: id, event: event.id }, 'could not queue a webhook delivery'),
        );
    }
  }
}
