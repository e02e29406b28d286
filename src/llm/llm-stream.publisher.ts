import { Injectable } from '@nestjs/common';
import { domainEvent, EventBus } from '../common/events/event-bus.js';

export interface LlmChunkPayload {
  requestId: string;
  agentId: string | null;
  chunk: unknown;
  isFinal: boolean;
}

export const LLM_CHUNK = 'llm.chunk' as const;

declare module '../common/events/event-bus.js' {
  interface DomainEventMap {
    'llm.chunk': LlmChunkPayload;
  }
}

/**
 * Publishes the chunks of a streaming LLM request; they reach `GET /sse/llm?requestId=` and the
 * agent's Socket.IO room in whichever process the client is connected to.
 */
@Injectable()
export class LlmStreamPublisher {
  constructor(private readonly bus: EventBus) {}

  chunk(organizationId: string, payload: LlmChunkPayload): void {
    this.bus.publish([domainEvent(LLM_CHUNK, organizationId, payload)]);
  }
}
