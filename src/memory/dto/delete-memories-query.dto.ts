import { ScopeDto } from './create-memory.dto.js';

/** Scope of a bulk delete: at least one of userId, agentId, runId. */
export class DeleteMemoriesQueryDto extends ScopeDto {}
