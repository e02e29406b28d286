import type { TextStreamPart, ToolSet } from 'ai';
import { LlmError } from '../../llm/llm.errors.js';
import { readStep, runToolCalls, truncate } from './step.js';
import type { TurnEvent } from './turn-events.js';

type Part = TextStreamPart<ToolSet>;

async function* stream(parts: Partial<Part>[], failWith?: Error): AsyncGenerator<Part> {
  for (const p of parts) yield p as Part;
  if (failWith) throw failWith;
}

describe('a step of the agent loop', () => {
  it('streams text on as it comes, collects tool calls (refused ones with why) and adds up usage', async () => {
    const events: TurnEvent[] = [];
    const out = await readStep(
      stream([
        { type: 'text-delta', text: 'Hel' },
        { type: 'text-delta', text: 'lo' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'add', input: { a: 1 } },
        {
          type: 'tool-call',
          toolCallId: 'c2',
          toolName: 'add',
          input: 'x',
          invalid: true,
          error: new Error('a must be a number'),
        },
        { type: 'finish-step', usage: { inputTokens: 10, outputTokens: 3 } } as Partial<Part>,
        { type: 'finish-step', usage: { inputTokens: 5, outputTokens: undefined } } as Partial<Part>,
      ]),
      (e) => events.push(e),
    );
    expect(out.text).toBe('Hello');
    expect(events).toEqual([
      { type: 'assistant_delta', text: 'Hel' },
      { type: 'assistant_delta', text: 'lo' },
    ]);
    expect(out.calls).toEqual([
      { id: 'c1', name: 'add', arguments: { a: 1 } },
      { id: 'c2', name: 'add', arguments: 'x' },
    ]);
    expect([...out.invalid]).toEqual([['c2', 'a must be a number']]);
    expect([out.promptTokens, out.completionTokens]).toEqual([15, 3]);
  });

  it('turns a failed call into an LlmError, from the error part or the stream throwing', async () => {
    await expect(readStep(stream([{ type: 'error', error: 'rate limited' }]), () => undefined)).rejects.toThrow(
      new LlmError('LLM_FAILED' as never, 'The LLM call failed: rate limited'),
    );
    await expect(readStep(stream([], new Error('socket hang up')), () => undefined)).rejects.toBeInstanceOf(LlmError);
  });

  it('runs the calls in order, answers a refused call without running it, and stores each result truncated', async () => {
    const events: string[] = [];
    const stored: { content: string; toolCallId: string }[] = [];
    const ran: string[] = [];
    await runToolCalls(
      {
        calls: [
          { id: 'c1', name: 'big', arguments: {} },
          { id: 'c2', name: 'add', arguments: 'x' },
        ],
        invalid: new Map([['c2', 'a must be a number']]),
      },
      async (call) => {
        ran.push(call.id);
        return { ok: true, result: 'y'.repeat(50) };
      },
      (e) => events.push(`${e.type}:${'toolCallId' in e ? e.toolCallId : ''}`),
      async (r) => {
        events.push(`stored:${r.toolCallId}`);
        stored.push(r);
      },
      20,
    );
    expect(ran).toEqual(['c1']);
    expect(events).toEqual([
      'tool_call:c1',
      'tool_result:c1',
      'stored:c1',
      'tool_call:c2',
      'tool_result:c2',
      'stored:c2',
    ]);
    expect(stored[0].content).toBe(truncate(JSON.stringify('y'.repeat(50)), 20));
    expect(stored[1].content).toBe(truncate(JSON.stringify({ error: 'invalid arguments: a must be a number' }), 20));
  });
});
