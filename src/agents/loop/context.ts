import type { Block } from '../entities/block.entity.js';
import type { MessageSize } from '../messages/message.repository.js';

export const DEFAULT_SYSTEM =
  'You are a helpful assistant with long-term memory. Use your memory tools to remember what matters about the user and to recall it.';

/** A memory shown in the prompt. */
export interface PromptMemory {
  id: string;
  score: number;
  content: string;
  createdAt: Date | string;
}

/** The longest memory text shown in the prompt; archival_memory_search returns it whole. */
const MEMORY_CHARS = 500;

function escapeTag(text: string): string {
  return text.replace(/<\/(value|memory_blocks|memories)>/gi, '<\\/$1>');
}

/**
 * The system prompt of a turn: the agent's own, its core memory blocks (Letta's layout, with
 * each block's size and limit so the model knows how much room is left), the memories found
 * for this message, and a note when older messages of the conversation were left out.
 */
export function renderSystemPrompt(
  system: string | null,
  blocks: Block[],
  memories: PromptMemory[],
  omitted: number,
): string {
  const parts = [system?.trim() || DEFAULT_SYSTEM];
  if (blocks.length > 0) {
    const rendered = blocks.map((b) =>
      [
        `<${b.label}>`,
        ...(b.description ? [`<description>${escapeTag(b.description)}</description>`] : []),
        `<metadata>read_only=${b.readOnly} chars_current=${b.value.length} chars_limit=${b.limit}</metadata>`,
        '<value>',
        escapeTag(b.value),
        '</value>',
        `</${b.label}>`,
      ].join('\n'),
    );
    parts.push(
      [
        '<memory_blocks>',
        'These core memory blocks are always in your context. Keep them current with core_memory_append and core_memory_replace; read-only blocks cannot be changed.',
        ...rendered,
        '</memory_blocks>',
      ].join('\n'),
    );
  }
  if (memories.length > 0) {
    const lines = memories.map((m) => {
      const day = new Date(m.createdAt).toISOString().slice(0, 10);
      const text = m.content.length > MEMORY_CHARS ? `${m.content.slice(0, MEMORY_CHARS)}…` : m.content;
      return `- [${day}] ${escapeTag(text)}`;
    });
    parts.push(
      [
        '<memories>',
        'Long-term memories that may be relevant to this message (archival_memory_search finds more):',
        ...lines,
        '</memories>',
      ].join('\n'),
    );
  }
  if (omitted > 0) {
    parts.push(
      `<conversation_note>${omitted} earlier message(s) of this conversation are not shown here; conversation_search finds them.</conversation_note>`,
    );
  }
  return parts.join('\n\n');
}

export interface ChosenMessages {
  /** Ids to send, oldest first. */
  ids: string[];
  /** Earlier messages of the conversation left out (at least this many). */
  omitted: number;
  tokens: number;
}

/**
 * Chooses which messages of a conversation fit in `available` tokens. The turn's own input
 * (`pinned`) always goes in, or the turn cannot run (null). Then the newest messages go in
 * while they fit, as one unbroken run back in time. No tool result goes in without the call
 * before it, and the history starts with a user message (some providers require it).
 */
export function chooseMessages(
  newestFirst: MessageSize[],
  available: number,
  pinned: Set<string>,
): ChosenMessages | null {
  const pinnedTokens = newestFirst.filter((m) => pinned.has(m.id)).reduce((sum, m) => sum + m.tokens, 0);
  let room = available - pinnedTokens;
  if (room < 0) return null;
  const taken = new Set<string>();
  for (const m of newestFirst) {
    if (pinned.has(m.id)) {
      taken.add(m.id);
      continue;
    }
    if (m.tokens > room) break;
    room -= m.tokens;
    taken.add(m.id);
  }
  const all = [...newestFirst].reverse();
  // Drop tool results whose call (the message before them) did not make it, then non-user openers.
  for (let i = 0; i < all.length; i++) {
    const m = all[i];
    if (m.role === 'tool' && taken.has(m.id) && !pinned.has(m.id) && (i === 0 || !taken.has(all[i - 1].id)))
      taken.delete(m.id);
  }
  const ordered = all.filter((m) => taken.has(m.id));
  while (ordered.length > 0 && ordered[0].role !== 'user' && !pinned.has(ordered[0].id)) ordered.shift();
  return {
    ids: ordered.map((m) => m.id),
    omitted: newestFirst.length - ordered.length,
    tokens: ordered.reduce((sum, m) => sum + m.tokens, 0),
  };
}
