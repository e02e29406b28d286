import { compileFilter } from '../../memory/search/filter-compiler.js';
import { SqlParams } from '../../database/sql-params.js';
import { Mem0Error } from './mem0.errors.js';
import { translateMem0Filters } from './mem0-filters.js';

describe('translateMem0Filters', () => {
  it('takes top-level id equalities, alone or inside AND, as the scope', () => {
    expect(translateMem0Filters({ user_id: 'alice' })).toEqual({ scope: { userId: 'alice' }, filters: undefined });
    expect(translateMem0Filters({ AND: [{ user_id: 'alice' }, { agent_id: 'bot' }, { run_id: 'r1' }] })).toEqual({
      scope: { userId: 'alice', agentId: 'bot', runId: 'r1' },
      filters: undefined,
    });
  });

  it('keeps the other conditions in our filter language, with our field and operator names', () => {
    const { scope, filters } = translateMem0Filters({
      AND: [
        { user_id: 'alice' },
        { created_at: { gte: '2026-01-01', lt: '2026-02-01' } },
        { metadata: { topic: 'food', 'diet.kind': { in: ['vegan', 'vegetarian'] } } },
        { OR: [{ app_id: 'shop' }, { keywords: { icontains: 'pizza' } }] },
      ],
    });
    expect(scope).toEqual({ userId: 'alice' });
    expect(filters).toEqual({
      AND: [
        { createdAt: { gte: '2026-01-01', lt: '2026-02-01' } },
        { AND: [{ 'metadata.topic': 'food' }, { 'metadata.diet.kind': { in: ['vegan', 'vegetarian'] } }] },
        { OR: [{ 'metadata.app_id': 'shop' }, { content: { contains: 'pizza' } }] },
      ],
    });
    // ...which our compiler takes.
    expect(() => compileFilter(filters, new SqlParams())).not.toThrow();
  });

  it('reads "*" as any value and NOT over a list as none of them', () => {
    expect(translateMem0Filters({ agent_id: '*', NOT: [{ run_id: 'r1' }, { app_id: 'x' }] }).filters).toEqual({
      AND: [{ agentId: { ne: null } }, { NOT: { OR: [{ runId: 'r1' }, { 'metadata.app_id': 'x' }] } }],
    });
  });

  it('scopes a user id given under OR nowhere (only a plain top-level equality narrows the scope)', () => {
    const { scope, filters } = translateMem0Filters({ OR: [{ user_id: 'alice' }, { user_id: 'bob' }] });
    expect(scope).toEqual({});
    expect(filters).toEqual({ OR: [{ userId: 'alice' }, { userId: 'bob' }] });
  });

  it('ANDs the top-level metadata of the old search API in', () => {
    expect(translateMem0Filters({ user_id: 'alice' }, { metadata: { topic: 'food' } })).toEqual({
      scope: { userId: 'alice' },
      filters: { 'metadata.topic': 'food' },
    });
  });

  it("ANDs Mem0's categories option in as any of them", () => {
    expect(translateMem0Filters(undefined, { categories: ['food', 'travel'] }).filters).toEqual({
      OR: [{ 'metadata.categories': { contains: 'food' } }, { 'metadata.categories': { contains: 'travel' } }],
    });
  });

  it('takes no inherited property for a field or an operator', () => {
    expect(() => translateMem0Filters({ constructor: 'x' })).toThrow(/filters\.constructor: unknown field/);
    expect(() => translateMem0Filters({ created_at: { toString: 'x' } })).toThrow(/unknown operator/);
  });

  it('refuses unknown fields and operators, naming their place', () => {
    expect(() => translateMem0Filters({ AND: [{ colour: 'red' }] })).toThrow(/filters\.AND\.0\.colour: unknown field/);
    expect(() => translateMem0Filters({ created_at: { after: '2026-01-01' } })).toThrow(
      /filters\.created_at\.after: unknown operator/,
    );
    expect(() => translateMem0Filters({ memory_ids: ['x'] })).toThrow(Mem0Error);
    expect(() => translateMem0Filters({ AND: [{ user_id: 'a' }, { user_id: 'b' }] })).toThrow(/two different ids/);
    expect(() => translateMem0Filters({ OR: [] })).toThrow(/non-empty array/);
  });
});
