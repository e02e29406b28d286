import type { SqlParams } from '../../database/sql-params.js';

/** Rank weights of the tsvector's labels D, C, B, A: context (B) counts half as much as the text (A). */
const TEXT_WEIGHTS = `'{0.1, 0.2, 0.5, 1.0}'`;
/** Weight of a word found only in a memory's neighbouring turns, relative to its own text. */
export const CONTEXT_WEIGHT = 0.5;

/**
 * The candidate set of a natural-language query: the memories holding one of its rarest words.
 * Up to RARE_TERMS words, the rarest first, while their summed document frequency stays within
 * CANDIDATE_BUDGET (the rarest one always); at most CANDIDATE_CAP rows whatever the words.
 * Measured on LoCoMo dev (bench/locomo.ts): see docs/ARCHITECTURE.md, "Full text".
 */
export const RARE_TERMS = 8;
export const CANDIDATE_BUDGET = 500;
export const CANDIDATE_CAP = 2000;

/** What the statistics cache already knows of a search scope: its size (BM25's N) and words' document frequencies. */
export interface KnownStatistics {
  n: number | null;
  df: Record<string, number>;
}

export interface TextLeg {
  /** CTEs the leg needs, in order, for the statement's WITH list. */
  ctes: string[];
  /** The leg: rows (id, score, leg, rank). */
  leg: string;
  /** A scalar expression of what the statement counted that the cache did not know: `{ "n": …, "df": { lexeme: count } }`, or null. */
  counted: string | null;
}

/**
 * The full-text leg. Natural language (questions, sentences) is scored BM25-style: each query
 * word counts by its rarity in the scope (idf), in full in the memory's own text (label A) and
 * at half weight when only in its neighbouring turns: the one before (label B of its tsvector)
 * or the one after (the own text, label A, of the memory whose `prev_id` it is). Its cost
 * follows the query, not the tenant: candidates come from the posting lists of the query's
 * rarest words only (one GIN index scan, which also yields the turns before them), and the
 * common words (a speaker's name, found in a third of a conversation) only add to the score of
 * those candidates. Document frequencies (a memory holds a word when its text or a neighbour
 * does) and the scope's size are statistics: the caller passes what it knows (cached for a
 * while), and the statement counts the rest, with the GIN index, and reports them back.
 *
 * Web-search syntax (quotes, -exclusion, OR) is taken as typed and ranked by ts_rank.
 * `where` selects the memories a search may return; `scope` the same without the expiry test,
 * for the statistics.
 */
export function textLeg(
  p: SqlParams,
  { where, scope }: { where: string; scope: string },
  query: string,
  style: 'natural' | 'websearch',
  known: KnownStatistics,
  candidates: string,
): TextLeg {
  const raw = p.add(query);
  if (style === 'websearch') {
    return {
      ctes: [],
      counted: null,
      leg: `SELECT id, score, 'text' AS leg, row_number() OVER (ORDER BY score DESC, id) AS rank FROM (
          SELECT m.id, ts_rank(${TEXT_WEIGHTS}, m.tsv, q.query, 1) AS score
          FROM memories m, (SELECT websearch_to_tsquery('english', ${raw}) AS query) q
          WHERE m.tsv @@ q.query AND ${where}
          ORDER BY score DESC, m.id LIMIT ${candidates}) t`,
    };
  }
  const knownN = p.add(known.n);
  const knownDf = p.add(JSON.stringify(known.df));
  return {
    ctes: [
      `terms AS MATERIALIZED (
         SELECT lexeme, quote_literal(lexeme)::tsquery AS q, (quote_literal(lexeme) || ':A')::tsquery AS qa, (${knownDf}::jsonb ->> lexeme)::float8 AS known_df
         FROM (SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', ${raw}))) x)`,
      `scope_n AS MATERIALIZED (
         SELECT CASE WHEN ${knownN}::float8 IS NOT NULL THEN ${knownN}::float8 ELSE (SELECT count(*) FROM memories m WHERE ${scope})::float8 END AS n,
                ${knownN}::float8 IS NULL AS fresh)`,
      `term_stats AS MATERIALIZED (
         SELECT t.lexeme, t.q, t.qa, t.known_df IS NULL AS fresh,
                CASE WHEN t.known_df IS NOT NULL THEN t.known_df ELSE (
                  WITH x AS MATERIALIZED (SELECT m.id, CASE WHEN m.tsv @@ t.qa THEN m.prev_id END AS prev_id FROM memories m WHERE m.tsv @@ t.q AND ${scope})
                  SELECT count(*) FROM (SELECT id FROM x UNION SELECT prev_id FROM x WHERE prev_id IS NOT NULL) d)::float8 END AS df
         FROM terms t)`,
      `rare AS MATERIALIZED (
         SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q, string_agg(quote_literal(lexeme) || ':A', ' | ')::tsquery AS qa FROM (
           SELECT lexeme, row_number() OVER w AS n, sum(df) OVER w AS total FROM term_stats WHERE df > 0 WINDOW w AS (ORDER BY df, lexeme)) s
         WHERE n = 1 OR (n <= ${RARE_TERMS} AND total <= ${CANDIDATE_BUDGET}))`,
      // A memory is a candidate when it holds a rare word, or when the turn after it does in its own text.
      // (The rare words as a scalar subquery, not a join: a join would keep the GIN index out of the plan.)
      `rare_hits AS MATERIALIZED (
         SELECT m.id, CASE WHEN m.tsv @@ (SELECT qa FROM rare) THEN m.prev_id END AS prev_id
         FROM memories m WHERE m.tsv @@ (SELECT q FROM rare) AND ${where} LIMIT ${CANDIDATE_CAP})`,
      `cand AS MATERIALIZED (
         SELECT m.id, m.tsv FROM memories m
         WHERE m.id IN (SELECT id FROM rare_hits UNION SELECT prev_id FROM rare_hits WHERE prev_id IS NOT NULL) AND ${where} LIMIT ${CANDIDATE_CAP})`,
      `idf AS MATERIALIZED (
         SELECT s.q, s.qa, ln(1 + (greatest(n.n, s.df) - s.df + 0.5) / (s.df + 0.5)) AS w FROM term_stats s, scope_n n WHERE s.df > 0)`,
    ],
    leg: `SELECT id, score, 'text' AS leg, row_number() OVER (ORDER BY score DESC, id) AS rank FROM (
          SELECT c.id, (SELECT sum(CASE WHEN c.tsv @@ i.qa THEN i.w WHEN c.tsv @@ i.q OR f.tsv @@ i.qa THEN i.w * ${CONTEXT_WEIGHT}::float8 ELSE 0 END) FROM idf i) AS score
          FROM cand c LEFT JOIN LATERAL (SELECT n.tsv FROM memories n WHERE n.prev_id = c.id LIMIT 1) f ON true
          ORDER BY score DESC, c.id LIMIT ${candidates}) t`,
    counted: `(SELECT jsonb_build_object(
                 'n', (SELECT CASE WHEN fresh THEN n END FROM scope_n),
                 'df', (SELECT coalesce(jsonb_object_agg(lexeme, df), '{}'::jsonb) FROM term_stats WHERE fresh)))`,
  };
}
