/** Names of the agent loop's built-in memory tools: a registry tool may not take them. */
export const BUILT_IN_TOOL_NAMES: readonly string[] = [
  'core_memory_append',
  'core_memory_replace',
  'archival_memory_insert',
  'archival_memory_search',
  'conversation_search',
];
