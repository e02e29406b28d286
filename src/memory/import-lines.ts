import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { inputProblem } from '../common/input/input-problems.js';
import { flattenValidationErrors } from '../common/validation.js';
import { ImportRowDto } from './dto/import-row.dto.js';
import { MemoryError, MemoryErrorCode } from './memory.errors.js';

export const IMPORT_MAX_ROWS = 100_000;
/** Problems listed in a refused import's details (the message names the first). */
const MAX_REPORTED = 20;

/**
 * Parses and validates a JSON Lines import whole, before anything is queued: one bad line
 * refuses the import (400 naming the line and field), so an import is stored entirely or not at
 * all. Blank lines are skipped; line numbers count from 1.
 */
export function parseImportLines(text: string): ImportRowDto[] {
  const rows: ImportRowDto[] = [];
  const problems: { line: number; field: string; problem: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && problems.length < MAX_REPORTED; i += 1) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ line, field: '(line)', problem: 'is not valid JSON' });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line, field: '(line)', problem: 'must be a JSON object' });
      continue;
    }
    // The same edge rules as a JSON body (depth, NUL, lone surrogates), line by line.
    const unusable = inputProblem(value);
    if (unusable) {
      problems.push({
        line,
        field: unusable.field === '(body)' ? '(line)' : unusable.field,
        problem: unusable.problem,
      });
      continue;
    }
    const row = plainToInstance(ImportRowDto, value);
    const errors = validateSync(row, { whitelist: true, forbidNonWhitelisted: true });
    for (const e of flattenValidationErrors(errors))
      problems.push({ line, field: e.field, problem: e.problems.join('; ') });
    if (!row.userId && !row.agentId && !row.runId)
      problems.push({ line, field: 'userId', problem: 'one of userId, agentId or runId is required' });
    if (rows.length >= IMPORT_MAX_ROWS) {
      throw new MemoryError(
        MemoryErrorCode.InvalidInput,
        `body: an import holds at most ${IMPORT_MAX_ROWS} lines; split it`,
      );
    }
    rows.push(row);
  }
  if (problems.length) {
    const first = problems[0];
    throw new MemoryError(
      MemoryErrorCode.InvalidInput,
      `line ${first.line}: ${first.field} ${first.problem}${problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''}`,
      problems,
    );
  }
  if (rows.length === 0)
    throw new MemoryError(
      MemoryErrorCode.InvalidInput,
      'body: the import holds no lines (send JSON Lines: one memory object per line)',
    );
  return rows;
}
