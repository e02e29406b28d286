import type { Embedder } from './embedder.js';

const STOPWORDS = new Set(
  'a an and are as at be but by for from has have he her his i if in into is it its me my of on or our she so that the their them they this to was we were what when where which who will with you your do did does not no yes than then there these those been being am can could would should may might must shall about after again all also any because before both each few more most other some such only own same too very just over under up down out off how why whom'.split(
    ' ',
  ),
);

/** FNV-1a, 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Lowercased words, digits kept, stop words and one-letter tokens dropped, plurals folded. */
export function lexicalTokens(text: string): string[] {
  const words =
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return words
    .filter((w) => w.length > 1 && !STOPWORDS.has(w))
    .map((w) => (w.length > 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/**
 * The built-in embedder of a server without any model: signed feature hashing of word
 * unigrams, word bigrams and character trigrams, sub-linear term frequency, L2-normalized.
 * It captures word overlap and spelling variants, not meaning (no semantic model can be had
 * offline here; see docs/ARCHITECTURE.md), so its leg is weighted down in hybrid search.
 */
export class LexicalEmbedder implements Embedder {
  readonly id: string;
  readonly semantic = false;
  /** Microseconds a vector: a Redis round trip would cost more. */
  readonly costly = false;

  constructor(readonly dimensions: number) {
    this.id = `lexical-hash-v1/${dimensions}`;
  }

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): number[] {
    const features = new Map<string, number>();
    const add = (feature: string, weight: number) => features.set(feature, (features.get(feature) ?? 0) + weight);
    const tokens = lexicalTokens(text);
    tokens.forEach((token, i) => {
      add(`w:${token}`, 1);
      if (i > 0) add(`b:${tokens[i - 1]} ${token}`, 0.5);
      const padded = `^${token}$`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
    });
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [feature, tf] of features) {
      const h = hash32(feature);
      const sign = h & 0x80000000 ? -1 : 1;
      vector[h % this.dimensions] += sign * (1 + Math.log(tf));
    }
    const norm = Math.hypot(...vector);
    return norm > 0 ? vector.map((v) => v / norm) : vector;
  }
}
