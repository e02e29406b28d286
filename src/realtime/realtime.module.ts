import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { SseController } from './sse.controller.js';
import { SseHub } from './sse-hub.service.js';

/** Live events for clients: the Socket.IO gateway and the SSE streams (API processes only). */
@Module({
  imports: [AuthModule, AgentsModule],
  controllers: [SseController],
  providers: [RealtimeGateway, SseHub],
  exports: [SseHub, RealtimeGateway],
})
export class RealtimeModule {}
