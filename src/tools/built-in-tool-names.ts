/** The agent loop's built-in memory tools (agents/loop/memory-tools.ts implements exactly these): a registry tool may not take their names. */
export const BuiltInToolName = {
  CoreMemoryAppend: 'core_memory_append',
  CoreMemoryReplace: 'core_memory_replace',
  ArchivalMemoryInsert: 'archival_memory_insert',
  ArchivalMemorySearch: 'archival_memory_search',
  ConversationSearch: 'conversation_search',
} as const;
export type BuiltInToolName = (typeof BuiltInToolName)[keyof typeof BuiltInToolName];

export const BUILT_IN_TOOL_NAMES: readonly string[] = Object.values(BuiltInToolName);
