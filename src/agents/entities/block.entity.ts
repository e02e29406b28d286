import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A core memory block: text always in the prompt of every agent it is attached to. */
@Entity('blocks')
export class Block {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column('text')
  label: string;

  @Column('text')
  value: string;

  /** Most characters the value may hold. */
  @Column({ name: 'char_limit', type: 'integer' })
  limit: number;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The agent loop may not change it (the API may). */
  @Column({ name: 'read_only', type: 'boolean' })
  readOnly: boolean;

  @Column('jsonb')
  metadata: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
