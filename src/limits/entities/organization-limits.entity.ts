import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An organization's own limits; null takes the installation default (migration 1764979200000). */
@Entity('organization_limits')
export class OrganizationLimits {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'memories_stored', type: 'integer', nullable: true })
  memoriesStored: number | null;

  @Column({ name: 'requests_per_minute', type: 'integer', nullable: true })
  requestsPerMinute: number | null;

  @Column({ name: 'tool_runs_per_minute', type: 'integer', nullable: true })
  toolRunsPerMinute: number | null;

  /** Who set them last (`user:<id>` or `api_key:<id>`). */
  @Column({ name: 'updated_by', type: 'text' })
  updatedBy: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
