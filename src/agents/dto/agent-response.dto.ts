import type { Agent } from '../entities/agent.entity.js';

export class AgentResponseDto {
  id: string;
  name: string;
  description: string | null;
  system: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;

  static from(a: Agent): AgentResponseDto {
    return { id: a.id, name: a.name, description: a.description, system: a.system, metadata: a.metadata, createdAt: a.createdAt, updatedAt: a.updatedAt };
  }
}

export class AgentPageResponseDto {
  data: AgentResponseDto[];
  nextCursor: string | null;
}
