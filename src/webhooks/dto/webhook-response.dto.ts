import { ApiProperty } from '@nestjs/swagger';
import type { WebhookDelivery } from '../entities/webhook-delivery.entity.js';
import type { Webhook } from '../entities/webhook.entity.js';
import { WEBHOOK_EVENT_TYPES } from '../webhook-events.js';
import type { WebhookEventType } from '../webhook-events.js';

export class WebhookResponseDto {
  id: string;
  url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events: WebhookEventType[];
  description: string;
  active: boolean;
  /** The user who registered it (null for a service key). */
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;

  static from(this: void, w: Webhook): WebhookResponseDto {
    return {
      id: w.id,
      url: w.url,
      events: w.events,
      description: w.description,
      active: w.active,
      createdBy: w.createdBy,
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
    };
  }
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  /**
   * The signing secret (HMAC-SHA256 key of the AgentMem-Signature header). Shown only in this
   * response (and when rotated): store it now. @example "whsec_3q2-7wAbc..."
   */
  secret: string;
}

export class WebhookPageResponseDto {
  data: WebhookResponseDto[];
  nextCursor: string | null;
}

export class WebhookDeliveryResponseDto {
  /** This attempt's record. */
  id: string;
  /** The delivery (AgentMem-Delivery header): one per event and webhook, shared by its attempts. */
  deliveryId: string;
  /** The event's id (AgentMem-Event-Id header and `id` of the body). */
  eventId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  eventType: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** succeeded: a 2xx answer; retrying: failed, another attempt comes; failed: the last attempt failed. */
  @ApiProperty({ enum: ['succeeded', 'retrying', 'failed'] })
  status: WebhookDelivery['status'];
  /** The receiver's HTTP status; null when no answer came. */
  responseStatus: number | null;
  /** Why the attempt failed. */
  error: string | null;
  durationMs: number;
  createdAt: Date;
  finishedAt: Date;

  static from(this: void, d: WebhookDelivery): WebhookDeliveryResponseDto {
    return {
      id: d.id,
      deliveryId: d.deliveryId,
      eventId: d.eventId,
      eventType: d.eventType,
      attempt: d.attempt,
      status: d.status,
      responseStatus: d.responseStatus,
      error: d.error,
      durationMs: d.durationMs,
      createdAt: d.createdAt,
      finishedAt: d.finishedAt,
    };
  }
}

export class WebhookDeliveryPageResponseDto {
  data: WebhookDeliveryResponseDto[];
  nextCursor: string | null;
}
