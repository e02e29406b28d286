import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { Webhook } from './entities/webhook.entity.js';

export type WebhookChanges = Partial<Pick<Webhook, 'url' | 'events' | 'description' | 'active' | 'secret'>>;

/** Every query of `webhooks` and `webhook_deliveries`; the tenant filter comes from the request context. */
@Injectable()
export class WebhookRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  async insert(w: Webhook): Promise<void> {
    await this.webhooks.insert(w);
  }

  async findInTenant(id: string): Promise<Webhook | null> {
    return this.webhooks.findOneBy({ id, organizationId: this.tenant.organizationId });
  }

  async countInTenant(): Promise<number> {
    return this.webhooks.countBy({ organizationId: this.tenant.organizationId });
  }

  /** The organization's webhooks, oldest first. */
  async pageInTenant(limit: number, cursor?: string): Promise<Page<Webhook>> {
    const rows = await this.webhooks.find({
      where: { organizationId: this.tenant.organizationId, ...(cursor ? { id: MoreThan(cursor) } : {}) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  async update(id: string, changes: WebhookChanges, at: Date): Promise<void> {
    await this.webhooks.update({ id, organizationId: this.tenant.organizationId }, { ...changes, updatedAt: at });
  }

  async delete(id: string): Promise<void> {
    await this.webhooks.delete({ id, organizationId: this.tenant.organizationId });
  }

  /** A webhook's delivery attempts, newest first. */
  async deliveries(webhookId: string, limit: number, cursor?: string): Promise<Page<WebhookDelivery>> {
    const rows = await this.deliveryLog.find({
      where: {
        organizationId: this.tenant.organizationId,
        webhookId,
        ...(cursor ? { id: LessThan(cursor) } : {}),
      },
      order: { id: 'DESC' },
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  /** An organization's active webhooks and their event types (events arriving, outside any request). */
  async activeAcrossTenants(organizationId: string): Promise<Pick<Webhook, 'id' | 'events'>[]> {
    return this.webhooks.find({ select: { id: true, events: true }, where: { organizationId, active: true } });
  }

  /** A webhook by id and organization, for a delivery job (which runs as no caller). */
  async findAcrossTenants(id: string, organizationId: string): Promise<Webhook | null> {
    return this.webhooks.findOneBy({ id, organizationId });
  }

  async insertDelivery(d: WebhookDelivery): Promise<void> {
    await this.deliveryLog.insert(d);
  }

  /** Deletes delivery attempts older than `days`, across organizations (maintenance). */
  async pruneDeliveries(days: number): Promise<number> {
    const result = await this.deliveryLog
      .createQueryBuilder()
      .delete()
      .where('created_at < now() - make_interval(days => :days)', { days })
      .execute();
    return result.affected ?? 0;
  }

  private get webhooks() {
    return this.dataSource.getRepository(Webhook);
  }

  private get deliveryLog() {
    return this.dataSource.getRepository(WebhookDelivery);
  }
}
