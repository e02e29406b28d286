import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators.js';
import { ErrorResponseDto } from '../common/errors/error-response.dto.js';
import { ParseId } from '../common/id-param.js';
import { PageQueryDto } from '../common/pagination/page-query.dto.js';
import { CreateWebhookDto } from './dto/create-webhook.dto.js';
import { UpdateWebhookDto } from './dto/update-webhook.dto.js';
import {
  CreatedWebhookResponseDto,
  WebhookDeliveryPageResponseDto,
  WebhookPageResponseDto,
  WebhookResponseDto,
} from './dto/webhook-response.dto.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhooks: signed POSTs of the organization's events to its endpoints (see README, Webhooks).
 * Admins and owners only, reads included: a webhook's url and log say where data goes.
 */
@ApiTags('webhooks')
@Authenticated({ role: 'admin' })
@ApiBadRequestResponse({ description: 'Invalid input; the message names the field', type: ErrorResponseDto })
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * Registers an endpoint for event types. The answer holds the signing secret, shown this once.
   * The url must be https and not a private address (nor resolve to one).
   */
  @Post()
  @ApiConflictResponse({ description: 'The organization has the most webhooks it may have', type: ErrorResponseDto })
  create(@Body() body: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.create(body);
  }

  /** The organization's webhooks, oldest first (without their secrets). */
  @Get()
  list(@Query() query: PageQueryDto): Promise<WebhookPageResponseDto> {
    return this.webhooks.list(query.limit, query.cursor);
  }

  /** One webhook of your organization, without its secret. */
  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such webhook in your organization', type: ErrorResponseDto })
  get(@Param('id', ParseId) id: string): Promise<WebhookResponseDto> {
    return this.webhooks.get(id);
  }

  /** Changes a webhook's url, event types, description or active flag. */
  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such webhook in your organization', type: ErrorResponseDto })
  update(@Param('id', ParseId) id: string, @Body() body: UpdateWebhookDto): Promise<WebhookResponseDto> {
    return this.webhooks.update(id, body);
  }

  /** Replaces the signing secret (shown in this answer only); deliveries from now on are signed with the new one. */
  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiNotFoundResponse({ description: 'No such webhook in your organization', type: ErrorResponseDto })
  rotateSecret(@Param('id', ParseId) id: string): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.rotateSecret(id);
  }

  /** Deletes the webhook and its delivery log; queued deliveries are dropped. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such webhook in your organization', type: ErrorResponseDto })
  remove(@Param('id', ParseId) id: string): Promise<void> {
    return this.webhooks.remove(id);
  }

  /** The webhook's delivery attempts, newest first: event, attempt, status, the receiver's answer, timing. */
  @Get(':id/deliveries')
  @ApiNotFoundResponse({ description: 'No such webhook in your organization', type: ErrorResponseDto })
  deliveries(@Param('id', ParseId) id: string, @Query() query: PageQueryDto): Promise<WebhookDeliveryPageResponseDto> {
    return this.webhooks.deliveries(id, query.limit, query.cursor);
  }
}
