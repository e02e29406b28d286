import { runPeerBench } from './peer.js';

// Made-up texts and questions, so that the spec needs no LoCoMo files; a tiny run of the real
// library (mem0ai/oss with its SQLite stores on :memory:) proves the benchmark still works.
const texts = Array.from(
  { length: 50 },
  (_, i) => `Speaker ${i % 3}: I went hiking near lake ${i} with my dog and took photos of the trail`,
);
const questions = ['Where did they go hiking?', 'What did they take photos of?', 'Who has a dog?'];

describe('bench/peer.ts', () => {
  it('adds, searches, reads, updates and deletes through Mem0 OSS and reports every figure', async () => {
    const { figures, details } = await runPeerBench({
      single: 20,
      memories: 200,
      searches: 10,
      crud: 10,
      storage: 'memory',
      texts,
      questions,
    });
    expect(figures.map((f) => f.name)).toEqual([
      'peer add one by one (1 client): throughput',
      'peer add one by one (10 clients): throughput',
      'peer add one by one (10 clients): p50',
      'peer add one by one (10 clients): p95',
      'peer search at 0.2k: p50',
      'peer search at 0.2k: p95',
      'peer get/update/delete: throughput',
      'peer peak RSS',
    ]);
    for (const f of figures) expect(f.value).toBeGreaterThan(0);
    expect(details).toMatchObject({ llmRequests: 0, 'get/update/delete': { memories: 10 } });
    expect((details['search at 0.2k'] as { hitsPerSearch: number }).hitsPerSearch).toBeGreaterThan(0);
  });
});
