import type { AppConfig } from '../config/app-config.js';
import { AddBatcher } from './add-batcher.js';
import type { MemoryRepository } from './memory.repository.js';
import type { AddGroup, MemoryRecord } from './memory.types.js';

function group(tag: string): AddGroup {
  return {
    organizationId: '00000000-0000-7000-8000-000000000001',
    scope: { userId: tag, agentId: null, runId: null },
    items: [{ id: tag, content: tag, hash: tag, embedding: null }],
    type: 'episodic',
    metadata: {},
    importance: 0.5,
    expiresAt: null,
    actor: 'user:x',
  };
}

/** A repository whose statements take 20 ms, refuse any batch holding "bad", and are recorded. */
function repository() {
  const statements: string[][] = [];
  const repo = {
    async addGroups(groups: AddGroup[]) {
      statements.push(groups.map((g) => g.items[0].content));
      await new Promise((r) => setTimeout(r, 20));
      if (groups.some((g) => g.items[0].content === 'bad')) throw new Error('check constraint');
      return groups.map((g) =>
        g.items.map((i) => ({ record: { id: i.id, content: i.content } as MemoryRecord, created: true })),
      );
    },
  };
  return { statements, repo: repo as unknown as MemoryRepository };
}

const config = (embedded: boolean) => ({ embedded, MEMORY_SESSION_GAP_MINUTES: 30 }) as AppConfig;

describe('AddBatcher (group commit)', () => {
  it('runs a lone add at once, and adds that arrive meanwhile together in the next statement', async () => {
    const { statements, repo } = repository();
    const batcher = new AddBatcher(repo, config(true));
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((t) => batcher.add(group(t))));
    expect(statements).toEqual([['a'], ['b', 'c', 'd']]);
    expect(results.map((r) => r[0].record.content)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives each caller its own error: a failed batch is retried one request at a time', async () => {
    const { statements, repo } = repository();
    const batcher = new AddBatcher(repo, config(true));
    const outcomes = await Promise.allSettled(['a', 'b', 'bad', 'c'].map((t) => batcher.add(group(t))));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(statements).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('keeps two statements in flight on PostgreSQL, one on the embedded database', async () => {
    const pg = repository();
    const shared = new AddBatcher(pg.repo, config(false));
    await Promise.all(['a', 'b', 'c'].map((t) => shared.add(group(t))));
    // a and b at once; c waited for one of them and went alone.
    expect(pg.statements).toEqual([['a'], ['b'], ['c']]);
  });
});
