import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/app-config.js';

/**
 * JWT_SECRET when set; otherwise (embedded mode only: config validation demands it with
 * DATABASE_URL) a secret generated once and kept in DATA_DIR, so tokens survive a restart.
 */
export function resolveJwtSecret(config: AppConfig): Promise<string> {
  if (config.JWT_SECRET) return Promise.resolve(config.JWT_SECRET);
  const dir = resolve(config.DATA_DIR);
  // The auth and tools modules both ask at start: one read (and one creation) per directory.
  let pending = resolving.get(dir);
  if (!pending) {
    pending = readOrCreate(dir);
    resolving.set(dir, pending);
    pending.catch(() => resolving.delete(dir));
  }
  return pending;
}

const resolving = new Map<string, Promise<string>>();

async function readOrCreate(dir: string): Promise<string> {
  const file = join(dir, 'jwt-secret');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32)
    throw new Error(`${file} holds a secret shorter than 32 characters; delete it to generate a new one`);
  return secret;
}
