import { ByteLru } from './byte-lru.js';

const sized = (capacity: number) => new ByteLru<string, string>(capacity, (v) => v.length);

describe('ByteLru', () => {
  it('evicts the least recently used entry, not the oldest inserted, when a new one does not fit', () => {
    const lru = sized(6);
    lru.set('a', 'aa');
    lru.set('b', 'bb');
    lru.set('c', 'cc');
    expect(lru.get('a')).toBe('aa'); // a is now the most recently used
    lru.set('d', 'dd');
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual(['aa', 'cc', 'dd']);
    expect(lru.usedBytes).toBe(6);
  });

  it('evicts as many entries as a large one needs, and keeps nothing larger than its bound', () => {
    const lru = sized(6);
    lru.set('a', 'aa');
    lru.set('b', 'bb');
    lru.set('c', 'cc');
    lru.set('big', 'bbbbb');
    expect(lru.size).toBe(1);
    expect(lru.get('big')).toBe('bbbbb');
    lru.set('huge', 'x'.repeat(7));
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('big')).toBe('bbbbb');
  });

  it('counts a replaced value once, at its new size', () => {
    const lru = sized(10);
    lru.set('a', 'aaaa');
    lru.set('a', 'aa');
    expect(lru.usedBytes).toBe(2);
    expect(lru.delete('a')).toBe(true);
    expect(lru.usedBytes).toBe(0);
    expect(lru.delete('a')).toBe(false);
  });

  it('keeps nothing with a bound of 0', () => {
    const lru = sized(0);
    lru.set('a', 'a');
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});
