import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyModel } from '../../../test/support/tiny-model.js';
import { TransformersEmbedder } from './transformers-embedder.js';

const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('TransformersEmbedder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentmem-model-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a local ONNX model offline and embeds by meaning, not by spelling', async () => {
    const model = await writeTinyModel(dir);
    const embedder = await TransformersEmbedder.load({ path: model.path });
    expect(embedder.dimensions).toBe(model.dims);
    expect(embedder.id).toBe(`transformers:tiny-bert/${model.dims}`);
    const [car, automobile, puppy] = await embedder.embed(['I bought a new car', 'automobile', 'my puppy is sleeping']);
    expect(Math.hypot(...car)).toBeCloseTo(1, 5);
    expect(cosine(car, automobile)).toBeGreaterThan(0.99);
    expect(cosine(car, puppy)).toBeLessThan(0.01);
  });

  it('fails with the path in the message when the folder holds no model', async () => {
    await expect(TransformersEmbedder.load({ path: join(dir, 'nothing-here') })).rejects.toThrow();
  });
});
