import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('agents')
export class Agent {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column('text')
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The system prompt. */
  @Column({ type: 'text', nullable: true })
  system: string | null;

  @Column('jsonb')
  metadata: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
