import { SearchError } from './search.errors.js';
import { compileFilter } from './filter-compiler.js';
import { SqlParams } from '../../database/sql-params.js';

const compile = (filter: unknown) => {
  const params = new SqlParams();
  return { sql: compileFilter(filter, params), values: params.values };
};

describe('compileFilter', () => {
  it('turns a metadata equality into a containment the GIN index serves', () => {
    expect(compile({ topic: 'travel' })).toEqual({ sql: 'm.metadata @> $1::jsonb', values: ['{"topic":"travel"}'] });
    expect(compile({ 'address.city': { eq: 'Oslo' } }).values).toEqual(['{"address":{"city":"Oslo"}}']);
  });

  it('compiles nested AND / OR / NOT', () => {
    const { sql, values } = compile({ AND: [{ a: 1 }, { OR: [{ b: 2 }, { NOT: { c: 3 } }] }] });
    expect(sql).toBe('(m.metadata @> $1::jsonb AND (m.metadata @> $2::jsonb OR NOT (m.metadata @> $3::jsonb)))');
    expect(values).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('maps memory fields to their columns with typed parameters', () => {
    expect(compile({ createdAt: { gte: '2026-01-01T00:00:00Z' } }).sql).toBe('m.created_at >= $1::timestamptz');
    expect(compile({ type: { in: ['semantic', 'episodic'] } }).sql).toBe('m.type = ANY($1::text[])');
    expect(compile({ importance: { gt: 0.5 } }).sql).toBe('m.importance > $1::double precision');
    expect(compile({ userId: { ne: 'bob' } }).sql).toBe('m.user_id IS DISTINCT FROM $1::text');
  });

  it('never puts a value or a key into the SQL text', () => {
    const { sql, values } = compile({ note: "'; DROP TABLE memories; --" });
    expect(sql).not.toContain('DROP');
    expect(values).toEqual(['{"note":"\'; DROP TABLE memories; --"}']);
    expect(() => compile({ "name') OR 1=1 --": 'x' })).toThrow(/not a valid field/);
  });

  it('escapes LIKE wildcards in contains', () => {
    expect(compile({ content: { contains: '100%_sure' } }).values).toEqual(['%100\\%\\_sure%']);
  });

  it.each([
    [{ createdAt: { after: 'x' } }, "filters.createdAt: unknown operator 'after'"],
    [{ year: { gt: [1] } }, 'filters.year.gt: must be a string, number or boolean'],
    [{ createdAt: { gt: 'soon' } }, 'filters.createdAt.gt: must be an ISO 8601 date-time'],
    [{ createdAt: { gte: 'Feb 30 2020' } }, 'filters.createdAt.gte: must be an ISO 8601 date-time'],
    [
      { AND: [{ updatedAt: { lt: '+275760-09-13T00:00:00.000Z' } }] },
      'filters.AND.0.updatedAt.lt: must be an ISO 8601 date-time',
    ],
    [{ expiresAt: { in: ['2026-01-01', '0'] } }, 'filters.expiresAt.in.1: must be an ISO 8601 date-time'],
    [{ OR: [] }, 'filters.OR: must be a non-empty array of filters'],
    [{ tags: { in: [] } }, 'filters.tags.in: must be an array of 1 to 100 values'],
    [{ importance: { contains: 'x' } }, 'filters.importance.contains: contains applies to text fields'],
    [[], 'filters: must be an object'],
    [{}, 'filters: is empty'],
  ])('refuses %j with a message naming the place', (filter, message) => {
    expect(() => compile(filter)).toThrow(SearchError);
    expect(() => compile(filter)).toThrow(message);
  });

  it("passes dates on as canonical UTC instants, never the caller's text", () => {
    expect(compile({ createdAt: { gte: '2026-03-01T12:00:00+02:00' } }).values).toEqual(['2026-03-01T10:00:00.000Z']);
  });

  it('bounds the depth of a filter', () => {
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 10; i++) deep = { NOT: deep };
    expect(() => compile(deep)).toThrow(/nested deeper/);
  });
});
