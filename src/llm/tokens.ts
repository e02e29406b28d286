import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** What a message costs beyond its text in a chat prompt (role and separators). */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * Tokens of a text in the o200k encoding (OpenAI's current models). Other providers' tokenizers
 * differ by some percent, which the context builder's safety margin absorbs.
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : countO200k(text);
}
