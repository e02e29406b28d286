import { AccessCounts } from './access-counts.js';
import type { SearchRepository } from './search.repository.js';

const ORG = '00000000-0000-7000-8000-000000000001';

function repository() {
  const statements: { id: string; n: number }[][] = [];
  const repo = {
    async addAccesses(counts: { id: string; n: number }[]) {
      statements.push(counts.map(({ id, n }) => ({ id, n })));
    },
  };
  return { statements, repo: repo as unknown as SearchRepository };
}

describe('AccessCounts', () => {
  it('writes nothing on the search itself, then the retrievals of a second summed per memory in one statement', async () => {
    const { statements, repo } = repository();
    const counts = new AccessCounts(repo);
    counts.note(ORG, ['a', 'b']);
    counts.note(ORG, ['a']);
    counts.note(ORG, []);
    expect(statements).toEqual([]);
    await new Promise((r) => setTimeout(r, 1200));
    expect(statements).toEqual([
      [
        { id: 'a', n: 2 },
        { id: 'b', n: 1 },
      ],
    ]);
  });

  it('writes what is pending at shutdown, and nothing when nothing is', async () => {
    const { statements, repo } = repository();
    const counts = new AccessCounts(repo);
    await counts.onApplicationShutdown();
    expect(statements).toEqual([]);
    counts.note(ORG, ['c']);
    await counts.onApplicationShutdown();
    expect(statements).toEqual([[{ id: 'c', n: 1 }]]);
  });
});
