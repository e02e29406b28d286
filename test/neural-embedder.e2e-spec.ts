import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, register, startTestApp } from './support/test-app.js';
import type { TestApp } from './support/test-app.js';
import { writeTinyModel } from './support/tiny-model.js';

// The in-process neural embedder, end to end, with a model the test builds (no real weights can
// be had on these machines; a user points EMBEDDING_MODEL_PATH at e.g. all-MiniLM-L6-v2).
describe('search with an in-process neural embedder (EMBEDDING_MODEL_PATH)', () => {
  let dir: string;
  let t: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentmem-model-'));
    const model = await writeTinyModel(dir);
    t = await startTestApp({ EMBEDDING_MODEL_PATH: model.path, EMBEDDING_DIMENSIONS: String(model.dims) });
    auth = bearer((await register(t)).accessToken);
    for (const content of ['I bought a new car', 'My puppy is sleeping', 'We ate pizza', 'I play the violin']) {
      await t.http().post('/api/v1/memories').set(auth).send({ content, userId: 'uma', infer: false }).expect(201);
    }
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says in readiness which embedder runs', async () => {
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.info.embedder).toMatchObject({
      model: 'transformers:tiny-bert/16',
      dimensions: 16,
      kind: 'semantic',
    });
  });

  it('finds by meaning: "automobile" finds the car, in vector and in the default (hybrid) mode', async () => {
    const vector = await t
      .http()
      .post('/api/v1/search')
      .set(auth)
      .send({ query: 'automobile', userId: 'uma', mode: 'vector' })
      .expect(200);
    expect(vector.body.results[0]).toMatchObject({ memory: 'I bought a new car', retrievers: ['vector'] });
    const byDefault = await t
      .http()
      .post('/api/v1/search')
      .set(auth)
      .send({ query: 'an old automobile', userId: 'uma' })
      .expect(200);
    expect(byDefault.body.mode).toBe('hybrid');
    expect(byDefault.body.results[0].memory).toBe('I bought a new car');
    // Full text alone cannot: no word is shared.
    const text = await t
      .http()
      .post('/api/v1/search')
      .set(auth)
      .send({ query: 'automobile', userId: 'uma', mode: 'text' })
      .expect(200);
    expect(text.body.results).toEqual([]);
  });

  it('refuses to start when the model does not match EMBEDDING_DIMENSIONS or cannot be loaded', async () => {
    const model = await writeTinyModel(dir, 'other-tiny', 8);
    await expect(startTestApp({ EMBEDDING_MODEL_PATH: model.path })).rejects.toThrow(
      /makes 8-dimensional vectors; set EMBEDDING_DIMENSIONS=8/,
    );
    await expect(startTestApp({ EMBEDDING_MODEL_PATH: join(dir, 'missing') })).rejects.toThrow(/EMBEDDING_MODEL_PATH=/);
  });
});
