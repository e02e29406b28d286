import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import type { Request } from 'express';
import { TenantContext } from './context/tenant-context.js';
import { EventBus } from './events/event-bus.js';
import { LeaseLock } from './locks/lease-lock.js';
import { RateCounter } from './rate-counter.js';

/** Request-scoped context (request id, caller), events, rate counters and locks for every module. */
@Global()
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        generateId: true,
        idGenerator: (req: Request & { id?: string }) => String(req.id),
      },
    }),
  ],
  providers: [TenantContext, EventBus, RateCounter, LeaseLock],
  exports: [TenantContext, EventBus, RateCounter, LeaseLock],
})
export class CommonModule {}
