import { Logger } from '@nestjs/common';
import { uuidv7 } from '../common/ids.js';
import { AppConfig } from '../config/app-config.js';
import { ProcessesQueue } from '../jobs/processes-queue.decorator.js';
import { QueueName } from '../jobs/jobs.types.js';
import type { JobHandle, JobProcessor } from '../jobs/jobs.types.js';
import { MetricsService } from '../observability/metrics.service.js';
import { ToolSecrets } from '../tools/tool-secrets.js';
import type { WebhookDeliveryStatus } from './entities/webhook-delivery.entity.js';
import type { WebhookPayload } from './webhook-events.js';
import { WebhookSender } from './webhook-sender.js';
import { signatureHeader } from './webhook-signature.js';
import { WebhookRepository } from './webhook.repository.js';

export interface WebhookDeliveryData {
  webhookId: string;
  /** The body, the same in every attempt. */
  payload: WebhookPayload;
}

export interface WebhookDeliveryResult {
  status: WebhookDeliveryStatus | 'dropped';
  responseStatus?: number | null;
}

declare module '../jobs/jobs.types.js' {
  interface JobMap {
    'webhook-delivery': { data: WebhookDeliveryData; result: WebhookDeliveryResult };
  }
}

/**
 * One attempt to deliver an event to a webhook: signs the body with the webhook's current
 * secret and a fresh timestamp, POSTs it, logs the attempt in `webhook_deliveries`, and throws
 * on anything but a 2xx answer so the queue retries it (WEBHOOKS_ATTEMPTS, exponential backoff
 * from WEBHOOKS_BACKOFF_MS). A webhook deleted or deactivated meanwhile drops the delivery.
 */
@ProcessesQueue(QueueName.WebhookDelivery)
export class WebhookDeliveryProcessor implements JobProcessor<typeof QueueName.WebhookDelivery> {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly sender: WebhookSender,
    private readonly secrets: ToolSecrets,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async process(job: JobHandle<WebhookDeliveryData>): Promise<WebhookDeliveryResult> {
    const { webhookId, payload } = job.data;
    const webhook = await this.webhooks.findAcrossTenants(webhookId, payload.organizationId);
    if (!webhook?.active) {
      this.metrics.webhookDeliveries.inc({ outcome: 'dropped' });
      return { status: 'dropped' };
    }
    const attempt = job.attemptsMade + 1;
    const body = JSON.stringify(payload);
    const started = new Date();
    let outcome: { status: number | null; error: string | null };
    try {
      const { secret } = this.secrets.open(`webhook:${webhook.id}`, webhook.secret);
      const timestamp = Math.floor(Date.now() / 1000);
      outcome = await this.sender.post(
        webhook.url,
        {
          'user-agent': 'AgentMem-Webhooks/1',
          'agentmem-event': payload.type,
          'agentmem-event-id': payload.id,
          'agentmem-delivery': job.id,
          'agentmem-signature': signatureHeader(secret, timestamp, body),
        },
        body,
      );
    } catch {
      // Only the secret can throw here (the sender answers every failure as an outcome).
      outcome = { status: null, error: 'the signing secret cannot be read (was JWT_SECRET changed?): rotate it' };
    }
    const finished = new Date();
    const status: WebhookDeliveryStatus =
      outcome.error === null ? 'succeeded' : attempt < this.config.WEBHOOKS_ATTEMPTS ? 'retrying' : 'failed';
    await this.webhooks.insertDelivery({
      id: uuidv7(),
      organizationId: webhook.organizationId,
      webhookId: webhook.id,
      deliveryId: job.id,
      eventId: payload.id,
      eventType: payload.type,
      attempt,
      status,
      responseStatus: outcome.status,
      error: outcome.error,
      durationMs: finished.getTime() - started.getTime(),
      createdAt: started,
      finishedAt: finished,
    });
    this.metrics.webhookDeliveries.inc({ outcome: status });
    if (outcome.error !== null) {
      this.logger.warn(
        { webhook: webhook.id, delivery: job.id, attempt, error: outcome.error },
        'webhook delivery failed',
      );
      throw new Error(`webhook delivery failed: ${outcome.error}`);
    }
    this.metrics.eventDelivered('webhook', payload.createdAt);
    return { status, responseStatus: outcome.status };
  }
}
