import { LETTA_SOURCE_TYPES } from './dto/letta-tool.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';

/** Python's tell-tale lines: a def, an import, a decorator or a docstring at the start of a line. */
const PYTHON = /^\s*((async\s+)?def\s+\w+\s*\(|from\s+[\w.]+\s+import\s|import\s+[\w.]+\s*$|@\w+|"""|''')/m;
/** The name of the source's first function declaration. */
export const FUNCTION_NAME = /\bfunction\s*\*?\s*([A-Za-z_]\w*)\s*\(/;

/**
 * Refuses what cannot run in AgentMem's JavaScript sandbox before the sandbox sees it: a source
 * type other than JavaScript, or source that reads as Python (Letta's default), each with a 400
 * naming the field.
 */
export function checkJavaScript(sourceCode: string | undefined, sourceType: string | undefined): void {
  if (sourceType !== undefined && !(LETTA_SOURCE_TYPES as readonly string[]).includes(sourceType.toLowerCase()))
    throw new LettaError(
      LettaErrorCode.Unsupported,
      `source_type ${sourceType.slice(0, 40)} is not supported: AgentMem runs tools as JavaScript in a sandbox (source_type "javascript"); Python tools cannot run`,
    );
  if (sourceCode !== undefined && PYTHON.test(sourceCode))
    throw new LettaError(
      LettaErrorCode.Unsupported,
      'source_code looks like Python, which AgentMem cannot run: write the tool in JavaScript (a function body using `args`, or a module exporting one function that takes the arguments object)',
    );
}
