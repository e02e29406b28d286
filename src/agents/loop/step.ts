import type { TextStreamPart, ToolSet } from 'ai';
import { DomainError } from '../../common/errors/domain-error.js';
import { LlmError, LlmErrorCode } from '../../llm/llm.errors.js';
import type { StoredToolCall } from '../entities/message.entity.js';
import type { ToolOutcome } from './agent-tools.js';
import type { TurnEventSink } from './turn-events.js';

/** What one call of the model produced. */
export interface StepOutput {
  text: string;
  calls: StoredToolCall[];
  /** Calls whose arguments the SDK refused (against the tool's schema), with why. */
  invalid: Map<string, string>;
  promptTokens: number;
  completionTokens: number;
}

/**
 * Reads the model's stream of one step: text (streamed on as it comes), tool calls, usage. A
 * failure of the call (the stream's error part, or the stream throwing) is an LlmError.
 */
export async function readStep(
  parts: AsyncIterable<TextStreamPart<ToolSet>>,
  emit: TurnEventSink,
): Promise<StepOutput> {
  const out: StepOutput = { text: '', calls: [], invalid: new Map(), promptTokens: 0, completionTokens: 0 };
  for await (const part of guarded(parts)) {
    switch (part.type) {
      case 'text-delta':
        out.text += part.text;
        if (part.text) emit({ type: 'assistant_delta', text: part.text });
        break;
      case 'tool-call':
        out.calls.push({ id: part.toolCallId, name: part.toolName, arguments: part.input ?? {} });
        if ('invalid' in part && part.invalid)
          out.invalid.set(part.toolCallId, reasonOf((part as { error?: unknown }).error));
        break;
      case 'finish-step':
        out.promptTokens += part.usage.inputTokens ?? 0;
        out.completionTokens += part.usage.outputTokens ?? 0;
        break;
      case 'error':
        throw new LlmError(LlmErrorCode.Failed, `The LLM call failed: ${errorText(part.error)}`);
      default:
        break;
    }
  }
  return out;
}

/** The tool messages of a step: each call is announced, run (unless its arguments were refused) and its result stored, in order. */
export async function runToolCalls(
  step: Pick<StepOutput, 'calls' | 'invalid'>,
  run: (call: StoredToolCall) => Promise<ToolOutcome>,
  emit: TurnEventSink,
  store: (result: { content: string; toolCallId: string; toolName: string }) => Promise<void>,
  maxChars: number,
): Promise<void> {
  for (const call of step.calls) {
    emit({ type: 'tool_call', toolCallId: call.id, name: call.name, arguments: call.arguments });
    const refused = step.invalid.get(call.id);
    const outcome: ToolOutcome =
      refused !== undefined ? { ok: false, error: `invalid arguments: ${refused}` } : await run(call);
    emit(
      outcome.ok
        ? { type: 'tool_result', toolCallId: call.id, name: call.name, status: 'ok', result: outcome.result }
        : { type: 'tool_result', toolCallId: call.id, name: call.name, status: 'error', error: outcome.error },
    );
    const content = truncate(
      JSON.stringify(outcome.ok ? (outcome.result ?? null) : { error: outcome.error }),
      maxChars,
    );
    await store({ content, toolCallId: call.id, toolName: call.name });
  }
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… [truncated: ${text.length - max} more characters]` : text;
}

/** The model's stream, with a failure of the call itself (network, timeout) as an LlmError. */
async function* guarded<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new LlmError(LlmErrorCode.Failed, `The LLM call failed: ${errorText(error)}`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
}

/** Why the model's tool call was refused (the SDK's validation error, or a message of its own). */
function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'invalid arguments';
}
