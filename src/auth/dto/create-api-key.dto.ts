import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { IsIsoDateTime } from '../../common/validation.js';
import { API_KEY_SCOPES } from '../roles.js';
import type { ApiKeyScope } from '../roles.js';

export class CreateApiKeyDto {
  /** What the key is for. @example "ingestion-service" */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

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
