import { LettaError } from './letta.errors.js';
import { windowOf } from './letta-paging.js';

const items = ['a', 'b', 'c', 'd', 'e'];
const page = (w: { after?: string; before?: string; limit?: number; order?: 'asc' | 'desc' }) =>
  windowOf(items, (x) => x, { limit: 2, order: 'asc', ...w });

/** What the client's ArrayPage fetches: the next page by the last id (or, with before, the previous by the first). */
function iterate(first: { before?: string; order?: 'asc' | 'desc' }): string[][] {
  const pages: string[][] = [];
  let query = first;
  for (let n = 0; n < 10; n++) {
    const got = page(query);
    if (got.length === 0) return pages;
    pages.push(got);
    query =
      'before' in first ? { ...query, before: got[0] } : ({ ...query, after: got[got.length - 1] } as typeof query);
  }
  throw new Error('the paging did not end');
}

describe('windowOf (a short list paged as Letta pages)', () => {
  it('pages forwards by after in the list order, or reversed with order desc', () => {
    expect(page({})).toEqual(['a', 'b']);
    expect(page({ after: 'b' })).toEqual(['c', 'd']);
    expect(page({ after: 'd' })).toEqual(['e']);
    expect(page({ after: 'e' })).toEqual([]);
    expect(page({ order: 'desc', after: 'd' })).toEqual(['c', 'b']);
  });

  it('gives, with before alone, the limit items just before it (still in order)', () => {
    expect(page({ before: 'e' })).toEqual(['c', 'd']);
    expect(page({ before: 'b' })).toEqual(['a']);
    expect(page({ before: 'a' })).toEqual([]);
    expect(page({ order: 'desc', before: 'a' })).toEqual(['c', 'b']);
  });

  it('keeps both bounds when both are given', () => {
    expect(page({ after: 'a', before: 'e', limit: 10 })).toEqual(['b', 'c', 'd']);
    expect(page({ after: 'c', before: 'b' })).toEqual([]);
  });

  it("reaches the end of the list the way the client's iteration asks, in both directions", () => {
    expect(iterate({})).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(iterate({ before: 'e' })).toEqual([
      ['c', 'd'],
      ['a', 'b'],
    ]);
    expect(iterate({ order: 'desc' })).toEqual([['e', 'd'], ['c', 'b'], ['a']]);
  });

  it('refuses a bound that is not in the list, naming the field', () => {
    expect(() => page({ after: 'x' })).toThrow(LettaError);
    expect(() => page({ before: 'x' })).toThrow(/^before: x is not an item of this list/);
  });
});
