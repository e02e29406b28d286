import { ReplayBuffer } from './replay-buffer.js';

describe('ReplayBuffer', () => {
  it('returns what came after the last seen id, in arrival order, per organization', () => {
    const buffer = new ReplayBuffer<{ id: string }>(10);
    for (const id of ['a1', 'a3', 'a2']) buffer.add('org-a', { id });
    buffer.add('org-b', { id: 'b1' });
    expect(buffer.after('org-a', 'a1').map((i) => i.id)).toEqual(['a3', 'a2']);
    expect(buffer.after('org-b', 'a1').map((i) => i.id)).toEqual(['b1']);
  });

  it('keeps only the newest items and falls back to id order for an id it no longer holds', () => {
    const buffer = new ReplayBuffer<{ id: string }>(3);
    for (const id of ['01', '02', '03', '04', '05']) buffer.add('org', { id });
    expect(buffer.after('org', '01').map((i) => i.id)).toEqual(['03', '04', '05']);
    expect(buffer.after('org', '04').map((i) => i.id)).toEqual(['05']);
  });

  it('holds nothing with capacity 0', () => {
    const buffer = new ReplayBuffer<{ id: string }>(0);
    buffer.add('org', { id: '1' });
    expect(buffer.after('org', '0')).toEqual([]);
  });
});
