import { LettaError } from './letta.errors.js';
import { readAgentFile } from './letta-agent-file.js';

const file = (agent: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ agents: [{ id: 'agent-0', name: 'a', ...agent }], blocks: [], tools: [], ...extra });

describe('readAgentFile', () => {
  it('keeps user, assistant and tool messages in order, dropping system ones and send_message plumbing', () => {
    const { agents } = readAgentFile(
      file({
        messages: [
          { role: 'system', content: 'prompt' },
          { role: 'user', content: 'plain string content' },
          {
            role: 'assistant',
            content: [{ type: 'text', text: 'Thinking aloud.' }],
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
              { id: 'c2', type: 'function', function: { name: 'send_message', arguments: '{"message":"Done."}' } },
            ],
          },
          { role: 'tool', content: [{ type: 'text', text: '42' }], tool_call_id: 'c1', name: 'lookup' },
          { role: 'tool', content: [{ type: 'text', text: 'ok' }], tool_call_id: 'c2' },
          {
            role: 'assistant',
            content: [],
            tool_calls: [{ id: 'c3', type: 'function', function: { name: 'lookup', arguments: 'not json' } }],
          },
        ],
      }),
    );
    expect(agents[0].messages).toEqual([
      { role: 'user', content: 'plain string content' },
      {
        role: 'assistant',
        content: 'Thinking aloud.\nDone.',
        toolCalls: [{ id: 'c1', name: 'lookup', arguments: { q: 'x' } }],
      },
      { role: 'tool', content: '42', toolCallId: 'c1', toolName: 'lookup' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c3', name: 'lookup', arguments: { raw: 'not json' } }] },
    ]);
  });

  it('names the place of what it cannot take', () => {
    const cases: [string, RegExp][] = [
      ['[]', /\(root\): must be an object/],
      [JSON.stringify({ agents: [] }), /agents: holds no agent/],
      [file({ name: 7 }), /agents\.0\.name: must be a string/],
      [file({ tool_ids: ['tool-3'] }), /agents\.0\.tool_ids\.0: no tool tool-3 in the file/],
      [file({ messages: [{ role: 'narrator', content: 'x' }] }), /agents\.0\.messages\.0\.role: must be user/],
      [file({}, { blocks: [{ id: 'b', label: 'human', limit: -1 }] }), /blocks\.0\.limit: must be a positive integer/],
    ];
    for (const [json, message] of cases) {
      expect(() => readAgentFile(json)).toThrow(LettaError);
      expect(() => readAgentFile(json)).toThrow(message);
    }
  });

  it("skips Letta's own tools and takes JavaScript ones, naming them from json_schema when the tool has no name", () => {
    const { tools } = readAgentFile(
      file(
        { tool_ids: ['t0', 't1'] },
        {
          tools: [
            { id: 't0', name: 'send_message', tool_type: 'letta_core', source_type: 'python' },
            {
              id: 't1',
              tool_type: 'custom',
              source_type: 'javascript',
              source_code: 'return 1',
              json_schema: { name: 'one', description: 'Returns one', parameters: { type: 'object' } },
            },
          ],
        },
      ),
    );
    expect(tools).toEqual([
      null,
      { name: 'one', description: 'Returns one', sourceCode: 'return 1', parameters: { type: 'object' }, tags: [] },
    ]);
  });
});
