import { inputProblem, MAX_INPUT_DEPTH, textProblem } from './input-problems.js';

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('inputProblem', () => {
  it('accepts ordinary bodies, emoji (surrogate pairs) included', () => {
    expect(
      inputProblem({ content: 'Alice 🍵 likes tea', messages: [{ role: 'user', content: 'hi' }], n: 1, ok: null }),
    ).toBeNull();
    expect(inputProblem(nested(MAX_INPUT_DEPTH))).toBeNull();
  });

  it('refuses nesting deeper than the limit, without recursing', () => {
    expect(inputProblem(nested(MAX_INPUT_DEPTH + 1))).toEqual({
      field: expect.stringMatching(/^a\.a\./),
      problem: `is nested deeper than ${MAX_INPUT_DEPTH} levels`,
    });
    expect(inputProblem(nested(100_000))?.problem).toMatch(/nested deeper/);
    let arrays: unknown = [];
    for (let i = 0; i < 10_000; i++) arrays = [arrays];
    expect(inputProblem({ filters: arrays })?.field).toMatch(/^filters\.0\.0/);
  });

  it('names the field holding a NUL character or a lone surrogate', () => {
    expect(inputProblem({ messages: [{ content: 'a\u0000b' }] })).toEqual({
      field: 'messages.0.content',
      problem: expect.stringContaining('NUL'),
    });
    expect(inputProblem({ name: '\ud800' })).toEqual({ field: 'name', problem: expect.stringContaining('surrogate') });
    expect(inputProblem({ metadata: { 'k\u0000': 1 } })).toEqual({
      field: 'metadata',
      problem: expect.stringContaining('has a key that'),
    });
    expect(inputProblem('\udc00')).toEqual({ field: '(body)', problem: expect.stringContaining('surrogate') });
  });

  it('textProblem passes well-formed text', () => {
    expect(textProblem('plain \u00e9 \u{1F600}')).toBeNull();
  });
});
