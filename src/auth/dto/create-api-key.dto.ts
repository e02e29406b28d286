import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { IsIsoDateTime } from '../../common/validation.js';
import { API_KEY_KINDS, API_KEY_SCOPES } from '../roles.js';
import type { ApiKeyKind, ApiKeyScope } from '../roles.js';

export class CreateApiKeyDto {
  /** What the key is for. @example "ingestion-service" */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  /**
   * personal (the default for a person): acts for you, never above your role as it is at each
   * request, and is revoked when you are removed. service (admins only; the default when a
   * service key makes a key): the organization's key for a service, acting with its scopes alone
   * and outliving the person who made it; revoke it by hand when they leave.
   */
  @ApiProperty({ enum: API_KEY_KINDS, required: false, example: 'personal' })
  @IsOptional()
  @IsIn(API_KEY_KINDS)
  kind?: ApiKeyKind;

  /** read: GET only; write: read and write data; admin: also manage users and keys. Default read+write. */
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, required: false, example: ['read', 'write'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true, message: `each value in scopes must be one of: ${API_KEY_SCOPES.join(', ')}` })
  scopes?: ApiKeyScope[];

  /** When the key stops working (ISO 8601, in the future); omit for no expiry. @example 2027-01-01T00:00:00Z */
  @IsOptional()
  @IsIsoDateTime()
  expiresAt?: Date;
}
