import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ApiKeyKind, ApiKeyScope } from '../roles.js';

@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column('text')
  name: string;

  /** personal (acts for createdBy, capped by their role) or service (the organization's). */
  @Column('text')
  kind: ApiKeyKind;

  /** The first characters of the key, shown in lists so people can tell keys apart. */
  @Column('text')
  prefix: string;

  /** SHA-256 of the whole key; the key itself is never stored. */
  @Column({ name: 'key_hash', type: 'text' })
  keyHash: string;

  @Column('text', { array: true })
  scopes: ApiKeyScope[];

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
