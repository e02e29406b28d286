import type { Role } from '../../common/context/principal.js';
import { ROLES } from '../../common/context/principal.js';
import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../entities/user.entity.js';

export class UserResponseDto {
  /** @example 0193a5c2-7a4e-7c1f-9b1e-3f6a2d4c5b6a */
  id: string;
  organizationId: string;
  /** @example "ada@acme.test" */
  email: string;
  /** @example "Ada Lovelace" */
  name: string;
  @ApiProperty({ enum: ROLES, example: 'owner' })
  role: Role;
  createdAt: Date;
  updatedAt: Date;

  static from(this: void, user: User): UserResponseDto {
    return {
      id: user.id,
      organizationId: user.organizationId,
      email: user.email,
      name: user.name,
      role: user.role,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }
}

export class UserPageResponseDto {
  data: UserResponseDto[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}
