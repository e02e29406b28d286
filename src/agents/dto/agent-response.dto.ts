import { BlockResponseDto } from '../blocks/dto/block-response.dto.js';
import type { Agent } from '../entities/agent.entity.js';
import { AgentModelDto } from './agent-model.dto.js';

export class AgentResponseDto {
  id: string;
  name: string;
  description: string | null;
  system: string | null;
  /** The agent's own model settings (missing fields: the server's defaults). */
  model: AgentModelDto;
  toolIds: string[];
  /** Its core memory blocks, in prompt order. */
  blocks: BlockResponseDto[];
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;

  static from(this: void, a: Agent, blocks: BlockResponseDto[]): AgentResponseDto {
    return {
      id: a.id,
      name: a.name,
      description: a.description,
      system: a.system,
      model: a.model,
      toolIds: a.toolIds,
      blocks,
      metadata: a.metadata,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }
}

export class AgentPageResponseDto {
  data: AgentResponseDto[];
  nextCursor: string | null;
}
