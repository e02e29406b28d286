/** Deepest nesting of arrays and objects a request may send (the JSON edge refuses deeper). */
export const MAX_INPUT_DEPTH = 32;

export interface InputProblem {
  /** Dotted path of the field, e.g. `messages.0.content`; `(body)` for the body itself. */
  field: string;
  problem: string;
}

/**
 * What PostgreSQL cannot store in text: the NUL character, and UTF-16 halves with no other half
 * (JSON's `"\ud800"`), which have no UTF-8 form. Null when the string is fine.
 */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (!text.isWellFormed()) return 'must not contain a lone UTF-16 surrogate (it has no UTF-8 form)';
  return null;
}

/**
 * The first thing in a parsed request (body or query) that no route can take: nesting deeper
 * than `maxDepth`, or a string (value or key) that `textProblem` refuses. Walks with an explicit
 * stack, so a body nested 10,000 levels deep costs a loop, not the call stack, and is refused
 * before class-transformer or any service recurses into it.
 */
export function inputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): InputProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { field: path || '(body)', problem };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return { field: path || '(body)', problem: `is nested deeper than ${maxDepth} levels` };
    for (const [key, child] of Object.entries(v)) {
      const here = path ? `${path}.${key}` : key;
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: path || '(body)', problem: `has a key that ${keyProblem}` };
      stack.push({ value: child, path: here, depth: depth + 1 });
    }
  }
  return null;
}
