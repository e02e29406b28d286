import type { MessageSize } from '../messages/message.repository.js';
import { chooseMessages } from './context.js';
import type { ChosenMessages } from './context.js';

/** What a turn's prompt must leave room for, besides the system prompt. */
export interface TurnLimits {
  /** The model's context window, in tokens. */
  window: number;
  /** The most the reply may take. */
  replyTokens: number;
  /** The tools' definitions as sent to the model. */
  toolTokens: number;
}

/** Tokens kept free beyond the reply: tokenizers of other providers count differently. */
export function safetyMargin(window: number): number {
  return 64 + Math.ceil(window * 0.02);
}

/** Tokens left for the messages once the reply, the margin, the tools and a system prompt of `systemTokens` are counted. */
export function room(limits: TurnLimits, systemTokens: number): number {
  return limits.window - limits.replyTokens - safetyMargin(limits.window) - limits.toolTokens - systemTokens;
}

/**
 * The prompt's memories that fit: memories give way first, the least relevant (last) first, so
 * that the system prompt, the blocks and the turn's input fit. Null when even without memories
 * they do not.
 */
export function fitMemories<M>(memories: M[], systemTokens: (kept: M[]) => number, available: number): M[] | null {
  let kept = memories;
  while (kept.length > 0 && systemTokens(kept) > available) kept = kept.slice(0, -1);
  return systemTokens(kept) > available ? null : kept;
}

/**
 * The messages to send this step. The system prompt notes how many messages were left out, and
 * that note takes room too: chosen once without it, and again with it when some were left out.
 */
export function chooseHistory(
  newestFirst: MessageSize[],
  limits: TurnLimits,
  systemTokens: (omitted: number) => number,
  pinned: Set<string>,
): ChosenMessages | null {
  const first = chooseMessages(newestFirst, room(limits, systemTokens(0)), pinned);
  if (!first || first.omitted === 0) return first;
  return chooseMessages(newestFirst, room(limits, systemTokens(first.omitted + 1)), pinned);
}
