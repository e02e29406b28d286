import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MemoryModule } from '../memory/memory.module.js';
import { EventsModule } from '../realtime/events.module.js';
import { ToolsModule } from '../tools/tools.module.js';
import { HealthController } from './health.controller.js';
import { RedisProbe } from './redis-probe.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MemoryModule, EventsModule, ToolsModule],
  controllers: [HealthController],
  providers: [RedisProbe],
})
export class HealthModule {}
