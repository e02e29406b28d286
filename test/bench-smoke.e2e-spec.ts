import { credentials, loadGet } from '../bench/http.js';
import { startTestApp } from './support/test-app.js';
import type { TestApp } from './support/test-app.js';

// A one-second run of each benchmark's load code against a test app: proves the benchmark
// still works (auth, routes, measurement) without timing anything.
describe('benchmark smoke runs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('bench/http.ts loads an authenticated GET with an API key and a JWT, without failures', async () => {
    const { jwt, apiKey } = await credentials(t.url);
    const variants: Record<string, string>[] = [{ 'x-api-key': apiKey }, { authorization: `Bearer ${jwt}` }];
    for (const headers of variants) {
      const result = await loadGet(`${t.url}/api/v1/auth/me`, headers, 1, 2);
      expect(result.requests).toBeGreaterThan(10);
      expect(result).toMatchObject({ errors: 0, non2xx: 0 });
      expect(result.p95Ms).toBeGreaterThanOrEqual(result.p50Ms);
    }
  });
});
