import { ToolSchema } from './tool-schema.js';

describe('ToolSchema', () => {
  const schemas = new ToolSchema();
  const add = {
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number', default: 0 } },
    required: ['a'],
    additionalProperties: false,
  };

  it('accepts a draft-07 object schema', () => {
    expect(() => schemas.check(add)).not.toThrow();
  });

  it('refuses a schema that is not an object schema, or not a schema', () => {
    expect(() => schemas.check({ type: 'string' })).toThrow('parameters.type must be "object"');
    expect(() => schemas.check({ type: 'object', properties: { a: { type: 'numbr' } } })).toThrow(
      /parameters is not a valid JSON Schema: parameters\.properties\.a\.type/,
    );
    expect(() => schemas.check({ type: 'object', required: 'a' })).toThrow(/parameters\.required must be array/);
    expect(() => schemas.check([])).toThrow('parameters must be a JSON Schema object');
    expect(() => schemas.check({ type: 'object', properties: { a: { $ref: '#/definitions/missing' } } })).toThrow(
      /cannot be compiled/,
    );
  });

  it('refuses schemas that would reach other tools’ schemas', () => {
    expect(() => schemas.check({ $id: 'https://a.example/s', type: 'object' })).toThrow(
      'parameters.$id is not allowed',
    );
    expect(() => schemas.check({ type: 'object', properties: { a: { $ref: 'https://b.example/s' } } })).toThrow(
      'parameters.properties.a.$ref must point inside the schema',
    );
    expect(() => schemas.check({ type: 'object', properties: { default: { $ref: 'https://b.example/s' } } })).toThrow(
      'parameters.properties.default.$ref must point inside the schema',
    );
    expect(() =>
      schemas.check({ type: 'object', properties: { a: { type: 'object', default: { $ref: 'just data' } } } }),
    ).not.toThrow();
    expect(() =>
      schemas.check({
        type: 'object',
        definitions: { n: { type: 'number' } },
        properties: { a: { $ref: '#/definitions/n' } },
      }),
    ).not.toThrow();
  });

  it('matches patterns in linear time, refusing what RE2 cannot do', () => {
    const evil = { type: 'object', properties: { s: { type: 'string', pattern: '^(a|a)*$' } } };
    schemas.check(evil);
    const started = performance.now();
    expect(() => schemas.validate('evil', evil, { s: 'a'.repeat(5000) + 'b' })).toThrow('args.s must match pattern');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => schemas.validate('evil', evil, { s: 'aaaa' })).not.toThrow();
    expect(() => schemas.check({ type: 'object', properties: { s: { type: 'string', pattern: '(a)\\1' } } })).toThrow(
      /cannot be compiled/,
    );
  });

  it('names the wrong field of the arguments', () => {
    expect(() => schemas.validate('t1', add, { a: 'one' })).toThrow('args.a must be number');
    expect(() => schemas.validate('t1', add, {})).toThrow('args.a is required');
    expect(() => schemas.validate('t1', add, { a: 1, c: 2 })).toThrow('args.c is not an allowed property');
    const nested = {
      type: 'object',
      properties: { items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } } } } },
    };
    expect(() => schemas.validate('t2', nested, { items: [{ n: 1 }, { n: 1.5 }] })).toThrow(
      'args.items[1].n must be integer',
    );
  });

  it('fills in defaults', () => {
    const args: Record<string, unknown> = { a: 1 };
    schemas.validate('t1', add, args);
    expect(args).toEqual({ a: 1, b: 0 });
  });
});
