import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { OmittableNotNull } from '../../common/validation.js';
import { WEBHOOK_EVENT_TYPES } from '../webhook-events.js';
import type { WebhookEventType } from '../webhook-events.js';

export const MAX_URL_LENGTH = 2048;

export class CreateWebhookDto {
  /**
   * Where deliveries are POSTed: an https URL whose host is not a private address (unless the
   * server sets WEBHOOKS_ALLOW_PRIVATE_NETWORKS). @example "https://example.com/hooks/agentmem"
   */
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url: string;

  /** The event types to receive. */
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['memory.created', 'memory.updated'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each of events must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events: WebhookEventType[];

  /** What the endpoint is for (free text). @example "CRM sync" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(500)
  description?: string;

  /** Default true; an inactive webhook receives nothing. */
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
