import { readFileSync } from 'node:fs';
import { getMetadataStorage } from 'class-validator';
import { AppConfig } from './app-config.js';

// Keeps README's configuration table true: every setting the server reads is listed there.
describe('README configuration table', () => {
  it('lists every environment variable AppConfig validates', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const names = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(AppConfig, '', true, false)
        .map((m) => m.propertyName),
    );
    const missing = [...names].filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
    expect(names.size).toBeGreaterThan(10);
  });
});
