export const MEMORY_TYPES = ['episodic', 'semantic', 'procedural', 'working'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

/** A memory as stored (without its vectors). */
export interface MemoryRecord {
  id: string;
  organizationId: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  content: string;
  type: MemoryType;
  metadata: Record<string, unknown>;
  importance: number;
  hash: string;
  accessCount: number;
  lastAccessedAt: Date | null;
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemoryScope {
  userId: string | null;
  agentId: string | null;
  runId: string | null;
}

export interface NewMemory extends MemoryScope {
  id: string;
  content: string;
  type: MemoryType;
  metadata: Record<string, unknown>;
  importance: number;
  hash: string;
  expiresAt: Date | null;
  embedding: number[] | null;
  /** Neighbouring conversation turns, indexed for full text at a lower weight. */
  context: string | null;
}

/** A memory as an import stores it: its own scope, type and time, and an id fixed by the import job. */
export interface ImportRow extends MemoryScope {
  id: string;
  content: string;
  hash: string;
  type: MemoryType;
  metadata: Record<string, unknown>;
  importance: number;
  expiresAt: Date | null;
  createdAt: Date | null;
  embedding: number[] | null;
}

/** One text of an add as given (infer=false). */
export interface AddItem {
  id: string;
  content: string;
  hash: string;
  embedding: number[] | null;
}

/** The texts of one add request, in order, with what they share. */
export interface AddGroup {
  organizationId: string;
  scope: MemoryScope;
  items: AddItem[];
  type: MemoryType;
  metadata: Record<string, unknown>;
  importance: number;
  expiresAt: Date | null;
  actor: string;
}

export type HistoryEvent = 'ADD' | 'UPDATE' | 'DELETE';

export interface HistoryRecord {
  id: string;
  memoryId: string;
  event: HistoryEvent;
  oldContent: string | null;
  newContent: string | null;
  actor: string;
  createdAt: Date;
}

export interface SearchHit {
  memory: MemoryRecord;
  score: number;
  scores: { vector?: number; text?: number };
  retrievers: ('vector' | 'text')[];
}
