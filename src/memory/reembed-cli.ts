import 'reflect-metadata';
import { ConfigValidationError, loadConfig } from '../config/app-config.js';
import { reembed } from './reembed.js';

try {
  const result = await reembed(loadConfig(), (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(
    `done: ${result.memories} memories embedded with ${result.model} (${result.dimensions} dimensions)\n`,
  );
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigValidationError ? error.message : error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
