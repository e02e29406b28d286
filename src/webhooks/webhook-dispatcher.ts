import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../common/events/event-bus.js';
import type { DomainEvent } from '../common/events/event-bus.js';
import { AppConfig } from '../config/app-config.js';
import { QueueName } from '../jobs/jobs.types.js';
import { JobRunner } from '../jobs/runners/job-runner.js';
import type { WebhookDeliveryData } from './webhook-delivery.processor.js';
import { toWebhookPayload } from './webhook-events.js';
import { deliveryId } from './webhook-signature.js';
import type { Webhook } from './entities/webhook.entity.js';
import { WebhookRepository } from './webhook.repository.js';

/** How long a process reuses an organization's list of webhooks for the events that follow. */
const SUBSCRIPTIONS_TTL_MS = 1000;
const MAX_CACHED_ORGANIZATIONS = 10_000;

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
  private readonly subscriptions = new Map<
    string,
    { until: number; webhooks: Promise<Pick<Webhook, 'id' | 'events'>[]> }
  >();

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
    const webhooks = await this.subscribed(event.organizationId);
    for (const { id } of webhooks.filter((w) => w.events.includes(payload.type))) {
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

  /** Forgets an organization's cached webhooks (after a change made in this process). */
  forget(organizationId: string): void {
    this.subscriptions.delete(organizationId);
  }

  private subscribed(organizationId: string): Promise<Pick<Webhook, 'id' | 'events'>[]> {
    const now = Date.now();
    const cached = this.subscriptions.get(organizationId);
    if (cached && cached.until > now) return cached.webhooks;
    if (this.subscriptions.size >= MAX_CACHED_ORGANIZATIONS) this.subscriptions.clear();
    const webhooks = this.webhooks.activeAcrossTenants(organizationId);
    this.subscriptions.set(organizationId, { until: now + SUBSCRIPTIONS_TTL_MS, webhooks });
    // A failed read is not kept: the next event reads again.
    webhooks.catch(() => this.subscriptions.delete(organizationId));
    return webhooks;
  }
}
