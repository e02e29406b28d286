import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../../common/context/principal.js';
import type { Role } from '../../common/context/principal.js';
import { ApiKeyResponseDto } from './api-key-response.dto.js';
import { OrganizationResponseDto } from './organization-response.dto.js';
import { UserResponseDto } from './user-response.dto.js';

export class MeResponseDto {
  @ApiProperty({ enum: ['user', 'api_key'] })
  authenticatedBy: 'user' | 'api_key';
  /** The person (JWT), or the key's creator (API key); null once that user is gone. */
  user: UserResponseDto | null;
  organization: OrganizationResponseDto;
  /** The key in use, when authenticated by API key. */
  apiKey: ApiKeyResponseDto | null;
  /** The effective role of this caller. */
  @ApiProperty({ enum: ROLES })
  role: Role;
}
