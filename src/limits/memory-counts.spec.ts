import { EXACT_MS, MemoryCounts, RECOUNT_MS } from './memory-counts.js';
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

  it('counts once, then keeps the number current by events until RECOUNT_MS', async () => {
    const db = store(5);
    const c = counts();
    ((await c.reserve('org', 1, 10, db.count)) as MemoryReservation).release();
    db.live = 7;
    c.note('org', 1);
    c.note('org', 1);
    now += RECOUNT_MS - 1;
    ((await c.reserve('org', 3, 10, db.count)) as MemoryReservation).release();
    expect(db.counts).toBe(1);
    // An add the estimate would refuse is decided on a fresh count.
    expect(await c.reserve('org', 4, 10, db.count)).toEqual({ stored: 7 });
    expect(db.counts).toBe(2);
    now += RECOUNT_MS + 1;
    ((await c.reserve('org', 1, 10, db.count)) as MemoryReservation).release();
    expect(db.counts).toBe(3);
  });

  it('holds room for adds in flight, so two cannot take the last place', async () => {
    const db = store(9);
    const c = counts();
    const [a, b] = await Promise.all([c.reserve('org', 1, 10, db.count), c.reserve('org', 1, 10, db.count)]);
    expect([isReservation(a), isReservation(b)].sort()).toEqual([false, true]);
    expect(db.counts).toBeLessThanOrEqual(2);
  });

  it('frees the room of a failed add, and counts stored imports on release', async () => {
    const db = store(8);
    const c = counts();
    const failed = (await c.reserve('org', 2, 10, db.count)) as MemoryReservation;
    failed.release();
    const imported = (await c.reserve('org', 2, 10, db.count)) as MemoryReservation;
    imported.release(2);
    imported.release(2); // twice is once
    expect(await c.reserve('org', 1, 10, db.count)).toEqual({ stored: 10 });
  });

  it('never refuses on a stale estimate: a deletion by another path is seen by the recount', async () => {
    const db = store(10);
    const c = counts();
    expect(await c.reserve('org', 1, 10, db.count)).toEqual({ stored: 10 });
    db.live = 9; // deleted without an event reaching this process
    now += EXACT_MS + 1;
    expect(isReservation(await c.reserve('org', 1, 10, db.count))).toBe(true);
  });

  it('keeps organizations apart and ignores events of organizations it does not count', async () => {
    const c = counts();
    c.note('other', 100);
    expect(isReservation(await c.reserve('org', 1, 1, store(0).count))).toBe(true);
    expect(await c.reserve('other', 1, 1, store(1).count)).toEqual({ stored: 1 });
  });
});
