import type { Block } from '../../entities/block.entity.js';

export class BlockResponseDto {
  id: string;
  label: string;
  value: string;
  /** Most characters the value may hold. */
  limit: number;
  description: string | null;
  readOnly: boolean;
  metadata: Record<string, unknown>;
  /** The agents it is attached to. */
  agentIds: string[];
  createdAt: Date;
  updatedAt: Date;

  static from(this: void, b: Block, agentIds: string[]): BlockResponseDto {
    return {
      id: b.id,
      label: b.label,
      value: b.value,
      limit: b.limit,
      description: b.description,
      readOnly: b.readOnly,
      metadata: b.metadata,
      agentIds,
      createdAt: b.createdAt,
      updatedAt: b.updatedAt,
    };
  }
}

export class BlockPageResponseDto {
  data: BlockResponseDto[];
  nextCursor: string | null;
}
