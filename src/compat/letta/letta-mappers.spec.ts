import type { MessageResponseDto } from '../../agents/messages/dto/message-response.dto.js';
import { isToolError, toLettaMessages } from './letta-mappers.js';

const at = new Date('2026-12-04T10:00:00Z');
const message = (fields: Partial<MessageResponseDto>): MessageResponseDto => ({
  id: 'm1',
  agentId: 'a1',
  userId: null,
  runId: null,
  requestId: 'r1',
  role: 'user',
  content: '',
  toolCalls: null,
  toolCallId: null,
  toolName: null,
  createdAt: at,
  ...fields,
});

describe("stored messages as Letta's", () => {
  it('gives user, system and plain assistant messages their message_type', () => {
    expect(toLettaMessages(message({ role: 'user', content: 'Hi' }))).toEqual([
      { id: 'm1', date: at.toISOString(), run_id: 'r1', sender_id: null, message_type: 'user_message', content: 'Hi' },
    ]);
    expect(toLettaMessages(message({ role: 'system', content: 'Be brief' }))[0].message_type).toBe('system_message');
    expect(toLettaMessages(message({ role: 'assistant', content: 'Hello' }))[0]).toEqual(
      expect.objectContaining({ message_type: 'assistant_message', content: 'Hello' }),
    );
  });

  it('splits an assistant message that called tools into reasoning and one tool_call_message per call', () => {
    const out = toLettaMessages(
      message({
        role: 'assistant',
        content: 'Let me look.',
        toolCalls: [
          { id: 'c1', name: 'add', arguments: { a: 1 } },
          { id: 'c2', name: 'now', arguments: {} },
        ],
      }),
    );
    expect(out.map((m) => m.message_type)).toEqual(['reasoning_message', 'tool_call_message', 'tool_call_message']);
    expect(out[0].reasoning).toBe('Let me look.');
    expect(out[1].tool_call).toEqual({ name: 'add', arguments: '{"a":1}', tool_call_id: 'c1' });
    expect(out[2].tool_calls).toEqual([{ name: 'now', arguments: '{}', tool_call_id: 'c2' }]);
    // No reasoning part when the call came without text.
    expect(
      toLettaMessages(message({ role: 'assistant', toolCalls: [{ id: 'c', name: 'x', arguments: {} }] })).map(
        (m) => m.message_type,
      ),
    ).toEqual(['tool_call_message']);
  });

  it("reads a tool message's status from the loop's stored failure shape", () => {
    const ok = message({ role: 'tool', content: '{"total":5}', toolCallId: 'c1', toolName: 'add' });
    expect(toLettaMessages(ok)[0]).toEqual(
      expect.objectContaining({
        message_type: 'tool_return_message',
        tool_return: '{"total":5}',
        status: 'success',
        tool_call_id: 'c1',
        name: 'add',
      }),
    );
    expect(isToolError('{"error":"add failed: boom"}')).toBe(true);
    expect(isToolError('{"error":"x","other":1}')).toBe(false);
    expect(isToolError('not json')).toBe(false);
    expect(toLettaMessages(ok, true)[0].status).toBe('error');
  });
});
