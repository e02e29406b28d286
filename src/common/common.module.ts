import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { CacheRedis } from './cache/cache-redis.js';
import { TenantContext } from './context/tenant-context.js';
import { EventBus } from './events/event-bus.js';
import { LeaseLock } from './locks/lease-lock.js';
import { RateCounter } from './rate-counter.js';

/** Request-scoped context (request id, caller), events, rate counters, locks and the caches' Redis connection for every module. */
@Global()
@Module({
  imports: [
    // The HTTP request context is opened by requestContextMiddleware (bootstrap), for every path.
    ClsModule.forRoot({ global: true }),
  ],
  providers: [TenantContext, EventBus, RateCounter, LeaseLock, CacheRedis],
  exports: [TenantContext, EventBus, RateCounter, LeaseLock, CacheRedis],
})
export class CommonModule {}
