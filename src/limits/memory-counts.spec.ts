import { MemoryCounts, RECOUNT_MS } from './memory-counts.js';
import type { MemoryReservation } from './memory-counts.js';

/** A database stand-in: the number of live memories, and how often it was counted. */
function store(live: number) {
  const db = { live, counts: 0, count: async () => (db.counts++, db.live) };
  return db;
}

const isReservation = (r: MemoryReservation | { stored: number }): r is MemoryReservation => 'release' in r;

describe('MemoryCounts', () => {
  let now = 1_000_000;
  const counts = () => new MemoryCounts(() => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('counts once, keeps the number current by other processes’ events, and recounts after RECOUNT_MS', async () => {
    const db = store(5);
    const c = counts();
    ((await c.reserve('org', 1, 10, db.count)) as MemoryReservation).release([]);
    now += 1;
    db.live = 7;
    c.note('org', 1, 'a', now);
    c.note('org', 1, 'b', now);
    now += RECOUNT_MS - 10;
    ((await c.reserve('org', 3, 10, db.count)) as MemoryReservation).release([]);
    expect(db.counts).toBe(1);
    // 7 + 4 > 10, decided on a fresh count.
    expect(await c.reserve('org', 4, 10, db.count)).toEqual({ stored: 7 });
    expect(db.counts).toBe(2);
    now += RECOUNT_MS + 1;
    ((await c.reserve('org', 1, 10, db.count)) as MemoryReservation).release([]);
    expect(db.counts).toBe(3);
  });

  it('counts its own adds when they finish, once, whether their event comes before or after', async () => {
    const db = store(0);
    const c = counts();
    const early = (await c.reserve('org', 1, 3, db.count)) as MemoryReservation;
    c.note('org', 1, 'early', now); // the in-process bus delivers inside the add
    early.release(['early']);
    const late = (await c.reserve('org', 1, 3, db.count)) as MemoryReservation;
    late.release(['late']);
    c.note('org', 1, 'late', now); // Redis delivers after the answer
    db.live = 2;
    expect(isReservation(await c.reserve('org', 1, 3, db.count))).toBe(true);
    expect(db.counts).toBe(1); // 2 + 1 <= 3 on the estimate: each add counted once
  });

  it('holds room for adds in flight, so two cannot take the last place', async () => {
    const db = store(9);
    const c = counts();
    const [a, b] = await Promise.all([c.reserve('org', 1, 10, db.count), c.reserve('org', 1, 10, db.count)]);
    expect([isReservation(a), isReservation(b)].sort()).toEqual([false, true]);
  });

  it('frees the room of a failed add, and counts stored imports on release', async () => {
    const db = store(8);
    const c = counts();
    ((await c.reserve('org', 2, 12, db.count)) as MemoryReservation).release();
    const imported = (await c.reserve('org', 2, 12, db.count)) as MemoryReservation;
    imported.release(2);
    imported.release(2); // twice is once
    db.live = 10;
    expect(db.counts).toBe(1);
    // 10 + 3 > 12: without the import counted in, the estimate (8) would have let it pass.
    expect(await c.reserve('org', 3, 12, db.count)).toEqual({ stored: 10 });
    expect(isReservation(await c.reserve('org', 2, 12, db.count))).toBe(true);
    expect(db.counts).toBe(2);
  });

  it('never refuses on a stale estimate, and ignores events older than its last count', async () => {
    const db = store(10);
    const c = counts();
    const deletedAt = now;
    now += 5;
    expect(await c.reserve('org', 1, 10, db.count)).toEqual({ stored: 10 });
    db.live = 9; // deleted; its event is on its way
    const room = await c.reserve('org', 1, 10, db.count);
    expect(isReservation(room)).toBe(true);
    (room as MemoryReservation).release([]);
    expect(db.counts).toBe(3); // the first count, and one before each refusal
    // The deletion's event arrives after the count that saw it: not subtracted again (else 8 + 2 would fit).
    c.note('org', -1, 'gone', deletedAt);
    expect(await c.reserve('org', 2, 10, db.count)).toEqual({ stored: 9 });
    expect(db.counts).toBe(4);
  });

  it('keeps organizations apart and ignores events of organizations it does not count', async () => {
    const c = counts();
    c.note('other', 1, 'x', now);
    expect(isReservation(await c.reserve('org', 1, 1, store(0).count))).toBe(true);
    expect(await c.reserve('other', 1, 1, store(1).count)).toEqual({ stored: 1 });
  });
});
