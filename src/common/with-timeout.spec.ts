import { withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('answers with the work when it settles in time, and clears its timer', async () => {
    const started = Date.now();
    await expect(withTimeout(Promise.resolve(7), 10_000, () => 'late')).resolves.toBe(7);
    // A pending 10 s timer would keep Jest's open-handle check (and the process) waiting.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("answers with onTimeout's value, or its error, when the work is late", async () => {
    const never = new Promise<number>(() => undefined);
    await expect(withTimeout(never, 5, () => 'late')).resolves.toBe('late');
    await expect(
      withTimeout(never, 5, () => {
        throw new Error('too slow');
      }),
    ).rejects.toThrow('too slow');
  });

  it("passes the work's own rejection through", async () => {
    await expect(withTimeout(Promise.reject(new Error('broken')), 1000, () => 'late')).rejects.toThrow('broken');
  });
});
