import type { MessageResponseDto } from '../../agents/messages/dto/message-response.dto.js';
import type { LettaFrame } from './letta-turns.service.js';
import { LettaTurnTranslator, turnInput } from './letta-turns.service.js';

const stored = (fields: Partial<MessageResponseDto>): MessageResponseDto => ({
  id: 'm',
  agentId: 'a',
  userId: null,
  runId: null,
  requestId: 'r',
  role: 'assistant',
  content: '',
  toolCalls: null,
  toolCallId: null,
  toolName: null,
  createdAt: new Date('2026-12-04T10:00:00Z'),
  ...fields,
});

describe("a turn in Letta's terms", () => {
  it('takes messages, or input as one user message, text parts joined', () => {
    expect(turnInput({ input: 'Hi' })).toEqual({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(
      turnInput({
        messages: [
          { role: 'system', content: 'Be brief' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Hello ' },
              { type: 'text', text: 'there' },
            ],
          },
        ],
      }),
    ).toEqual({
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Hello there' },
      ],
    });
  });

  it('refuses neither or both of messages and input, and blank text, naming the field', () => {
    expect(() => turnInput({})).toThrow(/exactly one of messages or input/);
    expect(() => turnInput({ input: 'a', messages: [{ role: 'user', content: 'b' }] })).toThrow(/exactly one/);
    expect(() =>
      turnInput({
        messages: [
          { role: 'user', content: 'ok' },
          { role: 'user', content: '  ' },
        ],
      }),
    ).toThrow(/^messages\.1\.content must not be empty/);
  });

  it("streams the agent's messages (not the input's echo), then stop reason and usage", () => {
    const frames: LettaFrame[] = [];
    const t = new LettaTurnTranslator((f) => frames.push(f));
    t.sink({ type: 'message', message: stored({ role: 'user', content: 'Hi' }) });
    t.sink({ type: 'assistant_delta', text: 'Let' });
    t.sink({ type: 'tool_call', toolCallId: 'c1', name: 'add', arguments: {} });
    t.sink({ type: 'tool_result', toolCallId: 'c1', name: 'add', status: 'error', error: 'boom' });
    t.sink({
      type: 'message',
      message: stored({ content: 'Let me add.', toolCalls: [{ id: 'c1', name: 'add', arguments: {} }] }),
    });
    // A failed call is an error even when the stored text does not look like one.
    t.sink({
      type: 'message',
      message: stored({ role: 'tool', content: '"boom"', toolCallId: 'c1', toolName: 'add' }),
    });
    t.sink({ type: 'message', message: stored({ content: 'It failed.' }) });
    t.sink({ type: 'usage', promptTokens: 30, completionTokens: 12, steps: 2 });
    t.sink({ type: 'done', requestId: 'r' });
    expect(frames.map((f) => f.message_type)).toEqual([
      'reasoning_message',
      'tool_call_message',
      'tool_return_message',
      'assistant_message',
      'stop_reason',
      'usage_statistics',
    ]);
    expect(frames[2]).toEqual(expect.objectContaining({ status: 'error' }));
    expect(frames[4]).toEqual({ message_type: 'stop_reason', stop_reason: 'end_turn' });
    expect(frames[5]).toEqual({
      message_type: 'usage_statistics',
      prompt_tokens: 30,
      completion_tokens: 12,
      total_tokens: 42,
      step_count: 2,
    });
  });

  it('streams the text as assistant_message chunks with stream_tokens, one id per step, tool calls whole', () => {
    const frames: LettaFrame[] = [];
    const t = new LettaTurnTranslator((f) => frames.push(f), true);
    t.sink({ type: 'assistant_delta', text: 'Let ' });
    t.sink({ type: 'assistant_delta', text: 'me add.' });
    t.sink({
      type: 'message',
      message: stored({ content: 'Let me add.', toolCalls: [{ id: 'c1', name: 'add', arguments: {} }] }),
    });
    t.sink({ type: 'message', message: stored({ role: 'tool', content: '3', toolCallId: 'c1', toolName: 'add' }) });
    t.sink({ type: 'assistant_delta', text: 'Three.' });
    t.sink({ type: 'message', message: stored({ content: 'Three.' }) });
    expect(frames.map((f) => [f.message_type, 'content' in f ? f.content : undefined])).toEqual([
      ['assistant_message', 'Let '],
      ['assistant_message', 'me add.'],
      ['tool_call_message', undefined],
      ['tool_return_message', undefined],
      ['assistant_message', 'Three.'],
    ]);
    const ids = frames.map((f) => ('id' in f ? f.id : ''));
    expect(ids[0]).toBe(ids[1]);
    expect(ids[4]).not.toBe(ids[0]);
  });

  it('ends a failed turn with an error_message and stop reason error', () => {
    const frames: LettaFrame[] = [];
    const t = new LettaTurnTranslator((f) => frames.push(f));
    t.sink({ type: 'error', code: 'LLM_FAILED', message: 'The LLM call failed' });
    expect(frames).toEqual([
      { message_type: 'error_message', error_type: 'LLM_FAILED', message: 'The LLM call failed', run_id: '' },
      { message_type: 'stop_reason', stop_reason: 'error' },
    ]);
  });
});
