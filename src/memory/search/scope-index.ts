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
  vector?: number[] | null;
}

/** A ranked candidate of one leg. */
export interface Ranked {
  id: string;
  score: number;
}


/** A growable list of 32-bit ints: a posting list, four bytes a posting. */
class IntList {
  data = new Int32Array(4);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

interface Postings {
  own: IntList;
  context: IntList;
}

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
  private prevIds: (string | null)[] = [];
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
    return this.ids.length * (140 + 9 + this.dimensions + this.words * 4 + 4) + this.postingCount * 4 + this.postings.size * 160;
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
    this.prevIds.push(m.prevId);
    this.alive[slot] = 1;
    this.expires[slot] = m.expiresAt ?? Number.POSITIVE_INFINITY;
    this.slotOf.set(m.id, slot);
    this.live++;
    for (const lexeme of m.own) this.postingsOf(lexeme).own.push(slot);
    for (const lexeme of m.context) this.postingsOf(lexeme).context.push(slot);
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
      for (let i = 0; i < p.own.length; i++) {
        const s = p.own.data[i];
        if (!this.alive[s]) continue;
        if (this.level[s] === 0) touched.push(s);
        this.level[s] = 2;
      }
      for (let i = 0; i < p.context.length; i++) {
        const s = p.context.data[i];
        if (this.alive[s] && this.level[s] === 0) {
          this.level[s] = 1;
          touched.push(s);
        }
      }
      // The turn before a memory holding the word in its own text has it as context.
      for (let i = 0; i < p.own.length; i++) {
        const s = p.own.data[i];
        if (!this.alive[s]) continue;
        const prevId = this.prevIds[s];
        const prev = prevId === null ? undefined : this.slotOf.get(prevId);
        if (prev !== undefined && this.level[prev] === 0) {
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

  private putVector(slot: number, vector: number[]): void {
    if (this.dimensions === 0) {
      this.dimensions = vector.length;
      this.words = Math.ceil(vector.length / 32);
      this.int8 = new Int8Array(this.alive.length * this.dimensions);
      this.bits = new Uint32Array(this.alive.length * this.words);
    }
    if (vector.length !== this.dimensions) return;
    let max = 0;
    let norm = 0;
    for (const v of vector) {
      max = Math.max(max, Math.abs(v));
      norm += v * v;
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
      p = { own: new IntList(), context: new IntList() };
      this.postings.set(lexeme, p);
    }
    return p;
  }

  /** Room for `slots` slots in every per-slot array. */
  private ensure(slots: number): void {
    if (slots <= this.alive.length) return;
    const capacity = Math.max(slots, this.alive.length * 2);
    this.alive = grow(this.alive, capacity);
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

function grow<T extends Uint8Array | Int8Array | Float64Array | Float32Array | Uint32Array>(array: T, length: number): T {
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
    return this.heap.sort((a, b) => (this.worse(a, b) ? 1 : this.worse(b, a) ? -1 : 0)).map((e) => ({ id: this.ids[e.slot], score: e.score }));
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
