import type { Organization } from '../entities/organization.entity.js';

export class OrganizationResponseDto {
  id: string;
  /** @example "Acme Robotics" */
  name: string;
  createdAt: Date;

  static from(this: void, org: Organization): OrganizationResponseDto {
    return { id: org.id, name: org.name, createdAt: org.createdAt };
  }
}
