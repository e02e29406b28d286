import type { KnownStatistics } from './text-leg.js';

/** How long a scope's statistics are used before they are counted again. */
const STATISTICS_TTL_MS = 60_000;
/** Bounds of the cache: scopes, and words per scope. */
const MAX_SCOPES = 2_000;
const MAX_TERMS_PER_SCOPE = 4_000;

interface ScopeStatistics {
  at: number;
  n: number | null;
  df: Map<string, number>;
}

/**
 * BM25's statistics per search scope (organization, scope fields and filter): the number of
 * live memories and each word's document frequency. They are statistics, not data: a minute
 * old is as good as exact for ranking, so each process keeps them for a minute and the search
 * statement counts only what is missing. Bounded in scopes and words; the oldest scope goes first.
 */
export class TermStatistics {
  private readonly scopes = new Map<string, ScopeStatistics>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * What is known of the scope's size and of the words of `query`. Words are matched to stored
   * lexemes (PostgreSQL's English stems) by their first three letters, which stemming keeps; a
   * lexeme left out is counted by the statement, so this only decides how much is counted.
   */
  known(scopeKey: string, query: string): KnownStatistics {
    const entry = this.live(scopeKey);
    if (!entry) return { n: null, df: {} };
    const prefixes = new Set(
      query
        .toLowerCase()
        .match(/[\p{L}\p{N}]+/gu)
        ?.map((w) => w.slice(0, 3)) ?? [],
    );
    const df: Record<string, number> = {};
    for (const [lexeme, count] of entry.df) if (prefixes.has(lexeme.slice(0, 3))) df[lexeme] = count;
    return { n: entry.n, df };
  }

  /** Keeps what a search statement counted. */
  learn(scopeKey: string, counted: { n?: number | null; df?: Record<string, number> } | null | undefined): void {
    if (!counted) return;
    let entry = this.live(scopeKey);
    if (!entry) {
      if (this.scopes.size >= MAX_SCOPES) this.scopes.delete(this.scopes.keys().next().value!);
      entry = { at: this.now(), n: null, df: new Map() };
      this.scopes.set(scopeKey, entry);
    }
    if (typeof counted.n === 'number') entry.n = counted.n;
    for (const [lexeme, df] of Object.entries(counted.df ?? {})) {
      if (entry.df.size >= MAX_TERMS_PER_SCOPE) break;
      // A word found nowhere is not kept: the next memory may hold it, and a cached 0 would
      // leave it out of the candidates for a minute. Counting it again is one empty index probe.
      if (Number(df) > 0) entry.df.set(lexeme, Number(df));
    }
  }

  private live(scopeKey: string): ScopeStatistics | undefined {
    const entry = this.scopes.get(scopeKey);
    if (entry && entry.at > this.now() - STATISTICS_TTL_MS) return entry;
    if (entry) this.scopes.delete(scopeKey);
    return undefined;
  }
}
