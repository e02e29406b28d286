import { LexicalEmbedder, lexicalTokens } from './lexical-embedder.js';

const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('LexicalEmbedder', () => {
  const embedder = new LexicalEmbedder(384);

  it('makes unit vectors of the configured size, the same for the same text', async () => {
    const [a, b] = await embedder.embed(['Alice moved to Berlin', 'Alice moved to Berlin']);
    expect(a).toHaveLength(384);
    expect(Math.hypot(...a)).toBeCloseTo(1, 6);
    expect(a).toEqual(b);
  });

  it('scores shared words and spelling variants above unrelated text', async () => {
    const [q, near, variant, far] = await embedder.embed([
      'moving to Berlin',
      'She moved to Berlin last year',
      'berlins museums',
      'I like green tea',
    ]);
    expect(cosine(q, near)).toBeGreaterThan(cosine(q, far));
    expect(cosine(q, variant)).toBeGreaterThan(cosine(q, far));
  });

  it('drops stop words and folds plurals', () => {
    expect(lexicalTokens('What are the Museums of Berlin?')).toEqual(['museum', 'berlin']);
  });

  it('gives an empty text the zero vector rather than NaN', async () => {
    const [v] = await embedder.embed(['the of and']);
    expect(v.every((x) => x === 0)).toBe(true);
  });
});
