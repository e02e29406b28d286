import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'am_';
export const REFRESH_TOKEN_PREFIX = 'rt_';
/** How many leading characters of an API key are kept in clear to tell keys apart. */
const VISIBLE = 12;

/** Keys and refresh tokens are 240+ random bits: a fast SHA-256 is the right hash for them. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(30).toString('base64url');
  return { key, prefix: key.slice(0, VISIBLE), hash: sha256(key) };
}

export function newRefreshToken(): { token: string; hash: string } {
  const token = REFRESH_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}
