import type { Tool } from '../entities/tool.entity.js';

export class ToolResponseDto {
  id: string;
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  sourceCode: string;
  /** How sourceCode was read: the body of a function, or a module exporting one. */
  sourceFormat: 'body' | 'module';
  tags: string[];
  timeoutMs: number;
  memoryLimitMb: number;
  allowedHosts: string[];
  /** Names of its secrets (their values are never returned). */
  secretNames: string[];
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;

  static from(this: void, t: Tool): ToolResponseDto {
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      parameters: t.parameters,
      sourceCode: t.sourceCode,
      sourceFormat: t.sourceFormat,
      tags: t.tags,
      timeoutMs: t.timeoutMs,
      memoryLimitMb: t.memoryLimitMb,
      allowedHosts: t.allowedHosts,
      secretNames: t.secretNames,
      metadata: t.metadata,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }
}

export class ToolPageResponseDto {
  data: ToolResponseDto[];
  nextCursor: string | null;
}
