import { ScopeIndex } from './scope-index.js';
import type { IndexedMemory } from './scope-index.js';

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const WORDS = [
  'caroline',
  'melanie',
  'paint',
  'beach',
  'adopt',
  'school',
  'camp',
  'pottery',
  'lgbtq',
  'support',
  'run',
  'book',
];

function memories(count: number, next: () => number): IndexedMemory[] {
  const pick = (n: number) => [...new Set(Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]))];
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    prevId: i > 0 && next() < 0.8 ? `00000000-0000-0000-0000-${String(i - 1).padStart(12, '0')}` : null,
    expiresAt: null,
    own: pick(1 + Math.floor(next() * 4)),
    context: pick(Math.floor(next() * 3)),
  }));
}

/** BM25 with neighbouring context as text-leg.ts's statement defines it, computed the slow way. */
function reference(docs: IndexedMemory[], query: string[]): Map<string, number> {
  const n = docs.length;
  const byId = new Map(docs.map((d) => [d.id, d]));
  const scores = new Map<string, number>();
  for (const t of new Set(query)) {
    const holders = new Set<string>();
    for (const d of docs) {
      if (d.own.includes(t) || d.context.includes(t)) holders.add(d.id);
      if (d.own.includes(t) && d.prevId && byId.has(d.prevId)) holders.add(d.prevId);
    }
    const df = holders.size;
    if (df === 0) continue;
    const w = Math.log(1 + (Math.max(n, df) - df + 0.5) / (df + 0.5));
    for (const id of holders) scores.set(id, (scores.get(id) ?? 0) + (byId.get(id)!.own.includes(t) ? w : w / 2));
  }
  return scores;
}

describe('ScopeIndex', () => {
  it('ranks full text as the statement defines it: own text in full, the turns before and after at half weight, idf over the scope', () => {
    const next = random(7);
    const docs = memories(300, next);
    const index = new ScopeIndex(false);
    docs.forEach((d) => index.put(d));
    for (let q = 0; q < 40; q++) {
      const query = [WORDS[Math.floor(next() * WORDS.length)], WORDS[Math.floor(next() * WORDS.length)], 'unknown'];
      const expected = [...reference(docs, query).entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 20);
      const got = index.text(query, 20, Date.now());
      expect(got.map((r) => r.id)).toEqual(expected.map((e) => e[0]));
      got.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i][1], 10));
    }
  });

  it('follows changes: a replaced memory is found by its new words only, a removed or expired one not at all', () => {
    const index = new ScopeIndex(false);
    const a = { id: 'a', prevId: null, expiresAt: null, own: ['paint'], context: [] };
    index.put(a);
    index.put({ id: 'b', prevId: 'a', expiresAt: null, own: ['beach'], context: ['paint'] });
    index.put({ id: 'c', prevId: null, expiresAt: Date.now() - 1, own: ['paint'], context: [] });
    expect(index.text(['paint'], 10, Date.now()).map((r) => r.id)).toEqual(['a', 'b']);
    index.put({ ...a, own: ['pottery'] });
    expect(index.text(['paint'], 10, Date.now()).map((r) => r.id)).toEqual(['b']);
    expect(index.text(['pottery'], 10, Date.now()).map((r) => r.id)).toEqual(['a']);
    index.remove('b');
    expect(index.text(['paint', 'beach'], 10, Date.now())).toEqual([]);
    expect(index.size).toBe(2);
    expect(index.garbage).toBe(2);
  });

  it('finds the nearest vectors by cosine, within 0.01 of the exact similarity, and leaves out those under the floor', () => {
    const next = random(11);
    const vectors = Array.from({ length: 500 }, () => Array.from({ length: 64 }, () => next() - 0.5));
    const index = new ScopeIndex(true);
    vectors.forEach((v, i) =>
      index.put({
        id: `m${String(i).padStart(3, '0')}`,
        prevId: null,
        expiresAt: null,
        own: [],
        context: [],
        vector: v,
      }),
    );
    const cosine = (a: number[], b: number[]) =>
      a.reduce((s, x, i) => s + x * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
    const query = vectors[42].map((x) => x + (next() - 0.5) * 0.1);
    const got = index.vector(query, 5, -1, Date.now());
    expect(got[0].id).toBe('m042');
    for (const r of got) expect(Math.abs(r.score - cosine(vectors[Number(r.id.slice(1))], query))).toBeLessThan(0.01);
    // With a prefilter wider than the scope, the re-rank sees every vector: the exact top 5.
    const exact = vectors.map((v, i) => ({ i, s: cosine(v, query) })).sort((a, b) => b.s - a.s);
    const wide = new ScopeIndex(true);
    vectors.slice(0, 15).forEach((v, i) =>
      wide.put({
        id: `m${String(i).padStart(3, '0')}`,
        prevId: null,
        expiresAt: null,
        own: [],
        context: [],
        vector: v,
      }),
    );
    const top = exact.filter((e) => e.i < 15).slice(0, 4);
    expect(wide.vector(query, 4, -1, Date.now()).map((r) => r.id)).toEqual(
      top.map((e) => `m${String(e.i).padStart(3, '0')}`),
    );
    expect(index.vector(query, 5, 0.999, Date.now())).toEqual([]);
  });
});
