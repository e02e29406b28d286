import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString, MaxLength } from 'class-validator';
import { OmittableNotNull } from '../../common/validation.js';
import { WEBHOOK_EVENT_TYPES } from '../webhook-events.js';
import type { WebhookEventType } from '../webhook-events.js';
import { MAX_URL_LENGTH } from './create-webhook.dto.js';

/** The fields to change; the others stay. A new url is checked as on create. */
export class UpdateWebhookDto {
  @OmittableNotNull()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url?: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, required: false })
  @OmittableNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each of events must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events?: WebhookEventType[];

  @OmittableNotNull()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** false pauses deliveries (events meanwhile are not sent later). */
  @OmittableNotNull()
  @IsBoolean()
  active?: boolean;
}
