import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_KINDS, API_KEY_SCOPES } from '../roles.js';
import type { ApiKeyKind, ApiKeyScope } from '../roles.js';
import type { ApiKey } from '../entities/api-key.entity.js';

export class ApiKeyResponseDto {
  id: string;
  /** @example "ingestion-service" */
  name: string;
  /** The first characters of the key. @example "am_Xy3kP9qLm" */
  prefix: string;
  /** personal: acts for createdBy, capped by their current role; service: the organization's. */
  @ApiProperty({ enum: API_KEY_KINDS })
  kind: ApiKeyKind;
  /** What the key may do at most (a personal key also never exceeds its creator's role). */
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** The user who created it (null for a service key whose creator was removed). */
  createdBy: string | null;
  createdAt: Date;

  static from(this: void, key: ApiKey): ApiKeyResponseDto {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      kind: key.kind,
      scopes: key.scopes,
      expiresAt: key.expiresAt,
      lastUsedAt: key.lastUsedAt,
      revokedAt: key.revokedAt,
      createdBy: key.createdBy,
      createdAt: key.createdAt,
    };
  }
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  /** The key itself. Shown only in this response: store it now. */
  key: string;
}

export class ApiKeyPageResponseDto {
  data: ApiKeyResponseDto[];
  nextCursor: string | null;
}
