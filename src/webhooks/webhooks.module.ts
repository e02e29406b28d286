import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { resolveJwtSecret } from '../auth/jwt-secret.js';
import { AppConfig } from '../config/app-config.js';
import { ToolSecrets } from '../tools/tool-secrets.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { Webhook } from './entities/webhook.entity.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhooks: registration (CRUD, delivery log), the dispatcher that turns domain events into
 * delivery jobs, and their processor. Listens to the event bus; no module depends on it but
 * the maintenance job (which prunes its log). Secrets are sealed as tools' secrets are
 * (ToolSecrets, keyed by `webhook:<id>`).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Webhook, WebhookDelivery])],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookRepository,
    WebhookDispatcher,
    WebhookDeliveryProcessor,
    WebhookSender,
    {
      provide: ToolSecrets,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => new ToolSecrets(await resolveJwtSecret(config)),
    },
  ],
  exports: [WebhooksService],
})
export class WebhooksModule {}
