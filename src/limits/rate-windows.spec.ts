import { secondsLeft } from '../common/rate-counter.js';
import { rateLimitHeaders } from './rate-windows.js';

describe('rateLimitHeaders', () => {
  it('gives nothing when no limit applies', () => {
    expect(rateLimitHeaders([])).toEqual({});
  });

  it('lists every window in RateLimit-Policy and describes the one with the least remaining', () => {
    const headers = rateLimitHeaders([
      { of: 'apiKey', limit: 600, count: 10, resetInMs: 30_000 },
      { of: 'organization', limit: 100, count: 95, resetInMs: 12_500 },
    ]);
    expect(headers).toEqual({
      'RateLimit-Policy': '600;w=60, 100;w=60',
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '5',
      'RateLimit-Reset': '13',
    });
  });

  it('never shows a negative remainder, and on a tie describes the window that resets later', () => {
    const headers = rateLimitHeaders([
      { of: 'apiKey', limit: 3, count: 5, resetInMs: 1_000 },
      { of: 'organization', limit: 10, count: 12, resetInMs: 40_000 },
    ]);
    expect(headers['RateLimit-Remaining']).toBe('0');
    expect(headers['RateLimit-Limit']).toBe('10');
    expect(headers['RateLimit-Reset']).toBe('40');
  });

  it('describes the window that refused the request when given', () => {
    const key = { of: 'apiKey' as const, limit: 3, count: 4, resetInMs: 2_000 };
    const org = { of: 'organization' as const, limit: 10, count: 12, resetInMs: 40_000 };
    expect(rateLimitHeaders([key, org], key)['RateLimit-Reset']).toBe('2');
  });
});

describe('secondsLeft', () => {
  it('rounds up and is at least one second', () => {
    expect(secondsLeft(0)).toBe(1);
    expect(secondsLeft(1)).toBe(1);
    expect(secondsLeft(59_001)).toBe(60);
  });
});
