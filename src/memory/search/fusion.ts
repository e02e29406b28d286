import type { SearchMode } from '../../config/app-config.js';
import type { SqlParams } from '../../database/sql-params.js';

/**
 * Weight of the vector leg in hybrid fusion when the embedder is lexical (word-overlap hashes,
 * no meaning). Measured by bench/locomo.ts on LoCoMo dev (full-text leg as in MemoryRepository):
 * weight 0 → recall@10 0.723, 0.05 → 0.719, 0.1 → 0.711, 0.25 → 0.70-, 0.5 → 0.53: such
 * vectors never help, so `auto` leaves them out and an explicit hybrid only lets them nudge.
 */
export const LEXICAL_VECTOR_WEIGHT = 0.05;

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

/** The mode a search runs in: `auto` is hybrid with a semantic embedder, full text with a lexical one. */
export function resolveMode(
  requested: SearchMode | 'auto',
  semanticEmbedder: boolean,
  vectorsEnabled: boolean,
): SearchMode {
  if (requested !== 'auto') return requested;
  return semanticEmbedder && vectorsEnabled ? 'hybrid' : 'text';
}

/** Reciprocal rank fusion constant (the usual 60). */
export const RRF_K = 60;

/**
 * The fused score over the legs' rows (id, score, leg, rank) grouped by id. Hybrid: reciprocal
 * rank fusion (weight / (60 + rank), summed over the legs that found a memory), scaled so that
 * rank 1 in every active leg scores 1; a single leg keeps its own score (BM25 or ts_rank, or
 * cosine similarity).
 */
export function fusedScoreSql(
  p: SqlParams,
  mode: SearchMode,
  weights: { text: number; vector: number },
  legs: { text: boolean; vector: boolean },
): string {
  if (mode !== 'hybrid') return 'max(score)';
  const activeWeight = (legs.text ? weights.text : 0) + (legs.vector ? weights.vector : 0);
  return `sum(CASE leg WHEN 'text' THEN ${p.add(weights.text)}::float8 ELSE ${p.add(weights.vector)}::float8 END / (${RRF_K} + rank)) * ${p.add((RRF_K + 1) / (activeWeight || 1))}::float8`;
}

/** A memory as fusion ranks it: its fused score and each leg's own score. */
export interface Fused {
  id: string;
  fused: number;
  text: number | null;
  vector: number | null;
}

/**
 * fusedScoreSql's arithmetic over legs ranked in process (memory-index.ts): each leg's list
 * best first, rank 1 first; the union ordered by fused score, then id.
 */
export function fuseRanked(
  mode: SearchMode,
  weights: { text: number; vector: number },
  legs: { text?: { id: string; score: number }[]; vector?: { id: string; score: number }[] },
): Fused[] {
  const activeWeight = (legs.text ? weights.text : 0) + (legs.vector ? weights.vector : 0);
  const byId = new Map<string, Fused>();
  for (const leg of ['text', 'vector'] as const) {
    legs[leg]?.forEach((r, i) => {
      let f = byId.get(r.id);
      if (!f) byId.set(r.id, (f = { id: r.id, fused: 0, text: null, vector: null }));
      f[leg] = r.score;
      // Outside hybrid one leg runs, and a memory is found once: its own score.
      f.fused = mode === 'hybrid' ? f.fused + weights[leg] / (RRF_K + i + 1) : r.score;
    });
  }
  const fused = [...byId.values()];
  if (mode === 'hybrid') for (const f of fused) f.fused *= (RRF_K + 1) / (activeWeight || 1);
  return fused.sort((a, b) => b.fused - a.fused || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
