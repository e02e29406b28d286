import type { NextFunction, Request, Response } from 'express';
import { errorBodyOf } from '../errors/all-exceptions.filter.js';
import { CommonError, CommonErrorCode } from '../errors/common.errors.js';
import { inputProblem, textProblem } from './input-problems.js';
import type { InputProblem } from './input-problems.js';

/**
 * The edge check every request passes after its body is parsed and before any route, pipe or
 * class-transformer sees it: a JSON body or query string nested deeper than MAX_INPUT_DEPTH, or
 * holding a NUL character or a lone surrogate in any value or key, is a 400 naming the field; so
 * is a path segment that decodes to such text (PostgreSQL would refuse it as a parameter).
 * One place, so no route can forget it (JSON Lines imports check each line the same way).
 */
export function inputGuardMiddleware(req: Request & { id?: string }, res: Response, next: NextFunction): void {
  const problem =
    pathProblem(req.path) ??
    (typeof req.body === 'object' && req.body !== null ? inputProblem(req.body) : null) ??
    queryProblem(req);
  if (!problem) return next();
  const error = new CommonError(CommonErrorCode.InvalidInput, `${problem.field}: ${problem.problem}`, [
    { field: problem.field, problems: [problem.problem] },
  ]);
  const body = errorBodyOf(error, String(req.id ?? ''));
  res.status(body.statusCode).json(body);
}

/** A path segment (a future route parameter) that is not UTF-8 percent-encoding, or decodes to unusable text. */
function pathProblem(path: string): InputProblem | null {
  for (const segment of path.split('/')) {
    if (!segment.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { field: '(path)', problem: `segment '${segment.slice(0, 100)}' is not valid UTF-8 percent-encoding` };
    }
    const problem = textProblem(decoded);
    if (problem) return { field: '(path)', problem: `segment '${segment.slice(0, 100)}' ${problem}` };
  }
  return null;
}

function queryProblem(req: Request): InputProblem | null {
  const problem = inputProblem(req.query);
  return problem ? { ...problem, field: problem.field === '(body)' ? '(query)' : problem.field } : null;
}
