import { Column, Entity, PrimaryColumn } from 'typeorm';

/** succeeded: a 2xx answer; retrying: failed, another attempt comes; failed: the last attempt failed. */
export type WebhookDeliveryStatus = 'succeeded' | 'retrying' | 'failed';

/** One attempt to deliver one event to one webhook. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId: string;

  /** The delivery (one per event and webhook; sent as AgentMem-Delivery); its attempts share it. */
  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  /** 1 for the first attempt. */
  @Column('integer')
  attempt: number;

  @Column('text')
  status: WebhookDeliveryStatus;

  /** The receiver's HTTP status (null when no answer came). */
  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'duration_ms', type: 'real' })
  durationMs: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt: Date;
}
