import { Injectable } from '@nestjs/common';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { uuidv7 } from '../common/ids.js';
import { privateLiteral, resolvesPrivately } from '../common/net/private-address.mjs';
import { mapPage } from '../common/pagination/page.js';
import type { Page } from '../common/pagination/page.js';
import { AppConfig } from '../config/app-config.js';
import { ToolSecrets } from '../tools/tool-secrets.js';
import type { CreateWebhookDto } from './dto/create-webhook.dto.js';
import type { UpdateWebhookDto } from './dto/update-webhook.dto.js';
import {
  CreatedWebhookResponseDto,
  WebhookDeliveryResponseDto,
  WebhookResponseDto,
} from './dto/webhook-response.dto.js';
import type { Webhook } from './entities/webhook.entity.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { newWebhookSecret } from './webhook-signature.js';
import { WebhookRepository } from './webhook.repository.js';
import type { WebhookChanges } from './webhook.repository.js';
import { WebhookError, WebhookErrorCode } from './webhooks.errors.js';

/** Webhooks an organization may hold. */
export const MAX_WEBHOOKS = 25;
/** How long registration waits for DNS before letting a name pass (delivery checks it again). */
const LOOKUP_TIMEOUT_MS = 3000;

/**
 * Webhooks of the caller's organization: registered with a url checked against the private-
 * address rules, their signing secret shown once and stored sealed, and their delivery log.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly tenant: TenantContext,
    private readonly config: AppConfig,
    private readonly secrets: ToolSecrets,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async create(input: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    const url = await this.checkUrl(input.url);
    if ((await this.webhooks.countInTenant()) >= MAX_WEBHOOKS)
      throw new WebhookError(
        WebhookErrorCode.LimitReached,
        `An organization may have ${MAX_WEBHOOKS} webhooks; delete one first`,
      );
    const principal = this.tenant.principal;
    const id = uuidv7();
    const secret = newWebhookSecret();
    const now = new Date();
    const row: Webhook = {
      id,
      organizationId: principal.organizationId,
      url,
      events: [...new Set(input.events)],
      description: input.description ?? '',
      active: input.active ?? true,
      secret: this.seal(id, secret),
      createdBy: principal.userId,
      createdAt: now,
      updatedAt: now,
    };
    await this.webhooks.insert(row);
    this.dispatcher.forget(row.organizationId);
    return { ...WebhookResponseDto.from(row), secret };
  }

  async list(limit: number, cursor?: string): Promise<Page<WebhookResponseDto>> {
    return mapPage(await this.webhooks.pageInTenant(limit, cursor), WebhookResponseDto.from);
  }

  async get(id: string): Promise<WebhookResponseDto> {
    return WebhookResponseDto.from(await this.find(id));
  }

  async update(id: string, input: UpdateWebhookDto): Promise<WebhookResponseDto> {
    await this.find(id);
    const changes: WebhookChanges = {};
    if (input.url !== undefined) changes.url = await this.checkUrl(input.url);
    if (input.events !== undefined) changes.events = [...new Set(input.events)];
    if (input.description !== undefined) changes.description = input.description;
    if (input.active !== undefined) changes.active = input.active;
    await this.webhooks.update(id, changes, new Date());
    this.dispatcher.forget(this.tenant.organizationId);
    return this.get(id);
  }

  /** A new signing secret, in force at once (the old one stops signing). */
  async rotateSecret(id: string): Promise<CreatedWebhookResponseDto> {
    await this.find(id);
    const secret = newWebhookSecret();
    await this.webhooks.update(id, { secret: this.seal(id, secret) }, new Date());
    return { ...(await this.get(id)), secret };
  }

  async remove(id: string): Promise<void> {
    await this.find(id);
    await this.webhooks.delete(id);
    this.dispatcher.forget(this.tenant.organizationId);
  }

  async deliveries(id: string, limit: number, cursor?: string): Promise<Page<WebhookDeliveryResponseDto>> {
    await this.find(id);
    return mapPage(await this.webhooks.deliveries(id, limit, cursor), WebhookDeliveryResponseDto.from);
  }

  /** Housekeeping (the maintenance job): delivery attempts older than WEBHOOKS_DELIVERY_RETENTION_DAYS. */
  pruneDeliveries(days: number): Promise<number> {
    return this.webhooks.pruneDeliveries(days);
  }

  private async find(id: string): Promise<Webhook> {
    const found = await this.webhooks.findInTenant(id);
    if (!found) throw CommonError.notFound('webhook', id);
    return found;
  }

  private seal(id: string, secret: string): string {
    return this.secrets.seal(`webhook:${id}`, { secret });
  }

  /**
   * A url deliveries may go to: http(s) without credentials in it, and unless the server
   * allows private networks, https to a host that is not (and does not resolve to) a private
   * address. Delivery checks the address it connects to again (a name may re-resolve).
   */
  private async checkUrl(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookError(WebhookErrorCode.InvalidInput, 'url must be an absolute http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new WebhookError(WebhookErrorCode.InvalidInput, `url must be an https URL, not ${url.protocol}`);
    if (url.username || url.password)
      throw new WebhookError(
        WebhookErrorCode.InvalidInput,
        'url must not carry credentials (verify deliveries by their signature)',
      );
    if (this.config.WEBHOOKS_ALLOW_PRIVATE_NETWORKS) return url.href;
    if (url.protocol !== 'https:')
      throw new WebhookError(
        WebhookErrorCode.UrlRefused,
        'url must use https (the server allows http only with WEBHOOKS_ALLOW_PRIVATE_NETWORKS)',
      );
    const address = privateLiteral(url) ?? (await resolvesPrivately(url.hostname, LOOKUP_TIMEOUT_MS));
    if (address)
      throw new WebhookError(
        WebhookErrorCode.UrlRefused,
        `url points at ${address}, a private address (the server allows none: WEBHOOKS_ALLOW_PRIVATE_NETWORKS)`,
      );
    return url.href;
  }
}
