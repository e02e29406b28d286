import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '../../common/context/principal.js';

@Entity('users')
export class User {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column('text')
  email: string;

  @Column('text')
  name: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column('text')
  role: Role;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
