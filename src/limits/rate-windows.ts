import { secondsLeft } from '../common/rate-counter.js';
import type { LimitDetails } from './limits.errors.js';

/** One limit's fixed window as counted for the current request. */
export interface RateWindow {
  of: LimitDetails['of'];
  limit: number;
  /** Hits in the window, this request included. */
  count: number;
  resetInMs: number;
}

export const WINDOW_SECONDS = 60;

/** Whose limit, as the error message says it. */
export function whose(of: LimitDetails['of']): string {
  return of === 'apiKey' ? 'this API key' : of === 'user' ? 'your user' : 'the organization';
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for the windows that
 * apply to a request: RateLimit-Policy lists every one (`600;w=60, 6000;w=60`), and
 * RateLimit-Limit, -Remaining and -Reset describe the one closest to refusing (the least
 * remaining; on a tie, the one that resets later), or the one that refused the request.
 */
export function rateLimitHeaders(windows: RateWindow[], refused?: RateWindow): Record<string, string> {
  if (windows.length === 0) return {};
  const remaining = (w: RateWindow) => Math.max(0, w.limit - w.count);
  const tightest =
    refused ??
    windows.reduce((a, b) =>
      remaining(b) < remaining(a) || (remaining(b) === remaining(a) && b.resetInMs > a.resetInMs) ? b : a,
    );
  return {
    'RateLimit-Policy': windows.map((w) => `${w.limit};w=${WINDOW_SECONDS}`).join(', '),
    'RateLimit-Limit': String(tightest.limit),
    'RateLimit-Remaining': String(remaining(tightest)),
    'RateLimit-Reset': String(secondsLeft(tightest.resetInMs)),
  };
}
