import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { WebhookEventType } from '../webhook-events.js';

/** An organization's endpoint for events: where to POST them, which types, signed with its secret. */
@Entity('webhooks')
export class Webhook {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column('text')
  url: string;

  @Column({ type: 'text', array: true })
  events: WebhookEventType[];

  @Column('text')
  description: string;

  /** An inactive webhook receives nothing (deliveries already queued are dropped). */
  @Column('boolean')
  active: boolean;

  /** The signing secret, sealed (AES-GCM under a key derived from JWT_SECRET); never returned after creation. */
  @Column('text')
  secret: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
