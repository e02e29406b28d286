import { CONTEXT_WEIGHT } from './text-leg.js';
import { PREFILTER } from './vector-leg.js';

/** A memory as the in-process index holds it: its words, its neighbour, and once a vector search asks, its vector. */
export interface IndexedMemory {
  id: string;
  prevId: string | null;
  /** Expiry, in ms since the epoch; null for never. */
  expiresAt: number | null;
  /** Lexemes of its own text (label A of its tsvector). */
  own: string[];
  /** Lexemes of its neighbouring turn (label B). */
  context: string[];
  vector?: ArrayLike<number> | null;
}

/** A ranked candidate of one leg. */
export interface Ranked {
  id: string;
  score: number;
}

/**
 * A lexeme's postings: per memory holding it, `slot * 2`, plus 1 when only its neighbouring turn
 * (label B) holds it. A plain array of small integers: most lexemes of a scope (names, numbers)
 * have one or two postings, where a typed array's own objects would cost ten times the data.
 */
type Postings = number[];

/**
 * The memories of one search scope (organization and the scope fields a search names), in
 * process: posting lists of their lexemes, their neighbours, their expiry and, once a vector
 * search asks for them, their vectors as sign bits and 8-bit integers. It answers both legs of
 * an unfiltered search in microseconds to a few milliseconds instead of a statement that reads
 * the scope's index entries and heap pages (memory-index.ts keeps it a cache of the database).
 *
 * A memory is a slot; changing or removing one kills its slot (and a change appends a new one),
 * so the lists only grow; `garbage` tells the owner when to rebuild.
 */
export class ScopeIndex {
  private ids: string[] = [];
  /** The slot of each memory's turn before, -1 when none; `pendingPrev` when it was not read yet. */
  private prevSlot = new Int32Array(64);
  private readonly pendingPrev = new Map<number, string>();
  private alive = new Uint8Array(64);
  private expires = new Float64Array(64);
  private readonly slotOf = new Map<string, number>();
  private readonly postings = new Map<string, Postings>();
  private postingCount = 0;
  private live = 0;
  // Vectors: per slot `dimensions` int8 values, their scale (NaN without a vector), and the sign bits.
  private dimensions = 0;
  private words = 0;
  private int8 = new Int8Array(0);
  private scale = new Float32Array(64);
  private bits = new Uint32Array(0);
  // Scratch arrays of the scoring, as long as the slots.
  private level = new Uint8Array(64);
  private scores = new Float64Array(64);

  constructor(readonly withVectors: boolean) {}

  /** Live memories (BM25's N, expired ones included as the statement counts them). */
  get size(): number {
    return this.live;
  }

  /** Slots no longer live: what a rebuild would give back. */
  get garbage(): number {
    return this.ids.length - this.live;
  }

  /** An estimate of the bytes held, for the cache's bound. */
  get bytes(): number {
    return (
      this.ids.length * (80 + 13 + this.dimensions + this.words * 4 + 4) +
      this.postingCount * 8 +
      this.postings.size * 120
    );
  }

  /** Makes room for `more` memories at once (a scope being read), instead of doubling as they come. */
  reserve(more: number): void {
    this.ensure(this.ids.length + more, true);
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** Adds a memory, or replaces the one with its id. */
  put(m: IndexedMemory): void {
    this.remove(m.id);
    const slot = this.ids.length;
    this.ensure(slot + 1);
    this.ids.push(m.id);
    const prev = m.prevId === null ? undefined : this.slotOf.get(m.prevId);
    this.prevSlot[slot] = prev ?? -1;
    if (m.prevId !== null && prev === undefined) this.pendingPrev.set(slot, m.prevId);
    this.alive[slot] = 1;
    this.expires[slot] = m.expiresAt ?? Number.POSITIVE_INFINITY;
    this.slotOf.set(m.id, slot);
    this.live++;
    for (const lexeme of m.own) this.postingsOf(lexeme).push(slot * 2);
    for (const lexeme of m.context) if (!m.own.includes(lexeme)) this.postingsOf(lexeme).push(slot * 2 + 1);
    this.postingCount += m.own.length + m.context.length;
    this.scale[slot] = Number.NaN;
    if (this.withVectors && m.vector) this.putVector(slot, m.vector);
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.slotOf.delete(id);
    this.alive[slot] = 0;
    this.live--;
  }

  /**
   * The full-text leg of a natural-language query, given its lexemes: BM25 over the whole scope
   * as text-leg.ts defines it (a word counts in full in a memory's own text, at half weight in
   * its neighbouring turns: the one before, or the own text of the turn after; document
   * frequency counts a memory holding a word in either), the best `k` unexpired memories.
   * Exact: no candidate budget, since a posting is a few nanoseconds here.
   */
  text(lexemes: string[], k: number, now: number): Ranked[] {
    const touched: number[] = [];
    const scored: number[] = [];
    const n = this.live;
    for (const lexeme of new Set(lexemes)) {
      const p = this.postings.get(lexeme);
      if (!p) continue;
      for (const posting of p) {
        const s = posting >>> 1;
        if (!this.alive[s]) continue;
        if (this.level[s] === 0) touched.push(s);
        if ((posting & 1) === 0) this.level[s] = 2;
        else if (this.level[s] === 0) this.level[s] = 1;
      }
      // The turn before a memory holding the word in its own text has it as context.
      for (const posting of p) {
        const s = posting >>> 1;
        if ((posting & 1) === 1 || !this.alive[s]) continue;
        const prev = this.prevOf(s);
        if (prev >= 0 && this.level[prev] === 0) {
          this.level[prev] = 1;
          touched.push(prev);
        }
      }
      const df = touched.length;
      if (df === 0) continue;
      const w = Math.log(1 + (Math.max(n, df) - df + 0.5) / (df + 0.5));
      for (const s of touched) {
        if (this.scores[s] === 0) scored.push(s);
        this.scores[s] += this.level[s] === 2 ? w : w * CONTEXT_WEIGHT;
        this.level[s] = 0;
      }
      touched.length = 0;
    }
    const best = new TopK(k, this.ids);
    for (const s of scored) {
      if (this.expires[s] > now) best.offer(s, this.scores[s]);
      this.scores[s] = 0;
    }
    return best.ranked();
  }

  /**
   * The vector leg: the `k` nearest unexpired memories by cosine similarity, those under `floor`
   * left out. As on the embedded statement (vector-leg.ts): the PREFILTER × k nearest by
   * Hamming distance of the sign bits, re-ranked by the cosine of the 8-bit vectors (within
   * ~0.01 of the exact one, which the caller reads back for the hits it returns).
   */
  vector(query: number[], k: number, floor: number, now: number): Ranked[] {
    if (!this.withVectors || this.dimensions === 0 || query.length !== this.dimensions) return [];
    const qbits = new Uint32Array(this.words);
    let norm = 0;
    for (let i = 0; i < query.length; i++) {
      if (query[i] > 0) qbits[i >>> 5] |= 1 << (i & 31);
      norm += query[i] * query[i];
    }
    norm = Math.sqrt(norm) || 1;
    // Counting sort by Hamming distance: the nearest `keep` slots in one pass and a histogram.
    const keep = k * PREFILTER;
    const slots = this.ids.length;
    const distance = new Uint16Array(slots);
    const histogram = new Uint32Array(this.dimensions + 2);
    for (let s = 0; s < slots; s++) {
      if (!this.alive[s] || Number.isNaN(this.scale[s]) || !(this.expires[s] > now)) {
        distance[s] = this.dimensions + 1;
        continue;
      }
      let d = 0;
      const base = s * this.words;
      for (let w = 0; w < this.words; w++) d += popcount(this.bits[base + w] ^ qbits[w]);
      distance[s] = d;
      histogram[d]++;
    }
    let cut = 0;
    for (let kept = 0; cut <= this.dimensions && kept + histogram[cut] <= keep; cut++) kept += histogram[cut];
    // Slots nearer than `cut` all stay; of those at `cut`, the first ones up to `keep`.
    let room = keep;
    for (let d = 0; d < cut; d++) room -= histogram[d];
    const best = new TopK(k, this.ids);
    for (let s = 0; s < slots; s++) {
      const d = distance[s];
      if (d > cut || d > this.dimensions) continue;
      if (d === cut) {
        if (room === 0) continue;
        room--;
      }
      const base = s * this.dimensions;
      let dot = 0;
      for (let i = 0; i < this.dimensions; i++) dot += this.int8[base + i] * query[i];
      const cosine = (dot * this.scale[s]) / norm;
      if (cosine >= floor) best.offer(s, cosine);
    }
    return best.ranked();
  }

  private putVector(slot: number, vector: ArrayLike<number>): void {
    if (this.dimensions === 0) {
      this.dimensions = vector.length;
      this.words = Math.ceil(vector.length / 32);
      this.int8 = new Int8Array(this.alive.length * this.dimensions);
      this.bits = new Uint32Array(this.alive.length * this.words);
    }
    if (vector.length !== this.dimensions) return;
    let max = 0;
    let norm = 0;
    for (let i = 0; i < vector.length; i++) {
      max = Math.max(max, Math.abs(vector[i]));
      norm += vector[i] * vector[i];
    }
    if (max === 0) return;
    const base = slot * this.dimensions;
    const bitBase = slot * this.words;
    for (let w = 0; w < this.words; w++) this.bits[bitBase + w] = 0;
    for (let i = 0; i < vector.length; i++) {
      this.int8[base + i] = Math.round((vector[i] / max) * 127);
      if (vector[i] > 0) this.bits[bitBase + (i >>> 5)] |= 1 << (i & 31);
    }
    // cosine(x, q) ≈ Σ int8·q × scale / |q|
    this.scale[slot] = max / 127 / Math.sqrt(norm);
  }

  private postingsOf(lexeme: string): Postings {
    let p = this.postings.get(lexeme);
    if (!p) {
      p = [];
      this.postings.set(lexeme, p);
    }
    return p;
  }

  /** The live slot of a memory's turn before, or -1 (not in the scope, or gone). */
  private prevOf(slot: number): number {
    let prev = this.prevSlot[slot];
    if (prev < 0) {
      const id = this.pendingPrev.get(slot);
      if (id === undefined) return -1;
      prev = this.slotOf.get(id) ?? -1;
      if (prev < 0) return -1;
      this.prevSlot[slot] = prev;
      this.pendingPrev.delete(slot);
    }
    if (this.alive[prev]) return prev;
    // The turn before was changed since (a new slot) or removed.
    return this.slotOf.get(this.ids[prev]) ?? -1;
  }

  /** Room for `slots` slots in every per-slot array. */
  private ensure(slots: number, exact = false): void {
    if (slots <= this.alive.length) return;
    const capacity = exact ? slots : Math.max(slots, this.alive.length * 2);
    this.alive = grow(this.alive, capacity);
    this.prevSlot = grow(this.prevSlot, capacity);
    this.expires = grow(this.expires, capacity);
    this.scale = grow(this.scale, capacity);
    this.level = new Uint8Array(capacity);
    this.scores = new Float64Array(capacity);
    if (this.dimensions > 0) {
      this.int8 = grow(this.int8, capacity * this.dimensions);
      this.bits = grow(this.bits, capacity * this.words);
    }
  }
}

function grow<T extends Uint8Array | Int8Array | Int32Array | Float64Array | Float32Array | Uint32Array>(
  array: T,
  length: number,
): T {
  const grown = new (array.constructor as new (n: number) => T)(length);
  grown.set(array);
  return grown;
}

function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The best `k` slots by score, ties by id ascending (as the statement's ORDER BY score DESC, id): a min-heap. */
class TopK {
  private readonly heap: { slot: number; score: number }[] = [];

  constructor(
    private readonly k: number,
    private readonly ids: string[],
  ) {}

  offer(slot: number, score: number): void {
    if (this.k <= 0) return;
    const item = { slot, score };
    if (this.heap.length < this.k) {
      this.heap.push(item);
      this.up(this.heap.length - 1);
    } else if (this.worse(this.heap[0], item)) {
      this.heap[0] = item;
      this.down(0);
    }
  }

  ranked(): Ranked[] {
    return this.heap
      .sort((a, b) => (this.worse(a, b) ? 1 : this.worse(b, a) ? -1 : 0))
      .map((e) => ({ id: this.ids[e.slot], score: e.score }));
  }

  /** Whether `a` ranks below `b`. */
  private worse(a: { slot: number; score: number }, b: { slot: number; score: number }): boolean {
    return a.score < b.score || (a.score === b.score && this.ids[a.slot] > this.ids[b.slot]);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.worse(this.heap[i], this.heap[parent])) return;
      [this.heap[i], this.heap[parent]] = [this.heap[parent], this.heap[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < this.heap.length && this.worse(this.heap[l], this.heap[least])) least = l;
      if (r < this.heap.length && this.worse(this.heap[r], this.heap[least])) least = r;
      if (least === i) return;
      [this.heap[i], this.heap[least]] = [this.heap[least], this.heap[i]];
      i = least;
    }
  }
}
