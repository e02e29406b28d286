/**
 * Weight of the vector leg in hybrid fusion when the embedder is lexical (word-overlap hashes,
 * no meaning): at equal weight such vectors pulled LoCoMo recall down (DESIGN.md), so they only
 * nudge the full-text ranking. bench/locomo.ts measured the value.
 */
export const LEXICAL_VECTOR_WEIGHT = 0.25;

/** RRF weights of the two retrievers for the active embedder. */
export function legWeights(semanticEmbedder: boolean): { text: number; vector: number } {
  return { text: 1, vector: semanticEmbedder ? 1 : LEXICAL_VECTOR_WEIGHT };
}

/**
 * Least cosine similarity at which the vector leg counts a memory as found. Lexical vectors of
 * texts sharing no word sit near 0 (only hash collisions), so they must clear a floor; a
 * semantic model's nearest neighbours always count (its ranking is what is wanted).
 */
export function vectorFloor(semanticEmbedder: boolean): number {
  return semanticEmbedder ? -1 : 0.1;
}
