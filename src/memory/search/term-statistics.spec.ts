import { TermStatistics } from './term-statistics.js';

describe('TermStatistics', () => {
  it("gives back what a scope's searches counted, for the query's words only, for a minute", () => {
    let now = 0;
    const stats = new TermStatistics(() => now);
    expect(stats.known('scope', 'Where does Caroline live?')).toEqual({ n: null, df: {} });
    stats.learn('scope', { n: 1000, df: { carolin: 370, live: 40, pari: 3 } });
    expect(stats.known('scope', 'Where does Caroline live?')).toEqual({ n: 1000, df: { carolin: 370, live: 40 } });
    expect(stats.known('other', 'Caroline')).toEqual({ n: null, df: {} });
    now = 61_000;
    expect(stats.known('scope', 'Caroline')).toEqual({ n: null, df: {} });
  });

  it('never keeps a word found nowhere: the next memory may hold it', () => {
    const stats = new TermStatistics(() => 0);
    stats.learn('scope', { n: 0, df: { berlin: 0, live: 1 } });
    expect(stats.known('scope', 'lives in Berlin')).toEqual({ n: 0, df: { live: 1 } });
  });
});
