import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname ?? '.', '..');

describe('src/openapi-metadata.ts', () => {
  it('matches what the Swagger plugin reads from the DTOs today (else: npm run openapi:metadata)', async () => {
    await expect(
      promisify(execFile)(process.execPath, [resolve(root, 'scripts/openapi-metadata.mjs'), '--check'], { cwd: root }),
    ).resolves.toBeDefined();
  }, 120_000);
});
