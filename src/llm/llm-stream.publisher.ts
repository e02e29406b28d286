import { Injectable } from '@nestjs/common';
import { EventBus } from '../common/events/event-bus.js';
import { RealtimeEventName } from '../realtime/realtime.events.js';

export interface LlmChunkPayload {
  requestId: string;
  agentId: string | null;
  chunk: unknown;
  isFinal: boolean;
}

/**
 * Publishes the chunks of a streaming LLM request; they reach `GET /sse/llm?requestId=` and the
 * agent's Socket.IO room in whichever process the client is connected to.
 */
@Injectable()
export class LlmStreamPublisher {
  constructor(private readonly bus: EventBus) {}

  chunk(organizationId: string, payload: LlmChunkPayload): void {
    this.bus.publish([
      { name: RealtimeEventName.LlmChunk, organizationId, occurredAt: new Date().toISOString(), payload },
    ]);
  }
}
