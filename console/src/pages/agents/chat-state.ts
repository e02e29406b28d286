import { ApiError } from '../../api/client';
import type { Message, TurnMemory } from '../../api/types';

/** What the chat shows of one turn, built from its stream's events (src/agents/loop/turn-events.ts). */
export type ChatItem =
  | { kind: 'user'; key: string; text: string }
  | { kind: 'assistant'; key: string; text: string; open: boolean }
  | {
      kind: 'tool';
      key: string;
      name: string;
      arguments: unknown;
      status?: 'ok' | 'error';
      result?: unknown;
      error?: string;
    };

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  steps: number;
}

export interface ChatState {
  items: ChatItem[];
  memories: TurnMemory[] | null;
  usage: Usage | null;
  streaming: boolean;
  error: unknown;
}

export const EMPTY_CHAT: ChatState = { items: [], memories: null, usage: null, streaming: false, error: null };

export type TurnEvent =
  | { type: 'memories'; memories: TurnMemory[] }
  | { type: 'assistant_delta'; text: string }
  | { type: 'tool_call'; toolCallId: string; name: string; arguments: unknown }
  | { type: 'tool_result'; toolCallId: string; name: string; status: 'ok' | 'error'; result?: unknown; error?: string }
  | { type: 'message'; message: Message }
  | ({ type: 'usage' } & Usage)
  | { type: 'done'; requestId: string }
  | { type: 'error'; code: string; message: string };

let keys = 0;
const nextKey = () => `item-${++keys}`;

/** The chat after one event of the stream: text deltas grow the open assistant bubble, tool calls appear inline. */
export function applyTurnEvent(state: ChatState, event: TurnEvent): ChatState {
  const items = state.items;
  const last = items[items.length - 1];
  switch (event.type) {
    case 'memories':
      return { ...state, memories: event.memories };
    case 'assistant_delta':
      if (last?.kind === 'assistant' && last.open)
        return { ...state, items: [...items.slice(0, -1), { ...last, text: last.text + event.text }] };
      return { ...state, items: [...items, { kind: 'assistant', key: nextKey(), text: event.text, open: true }] };
    case 'tool_call':
      return {
        ...state,
        items: [
          ...closeAssistant(items),
          { kind: 'tool', key: event.toolCallId, name: event.name, arguments: event.arguments },
        ],
      };
    case 'tool_result':
      return {
        ...state,
        items: items.map((i) =>
          i.kind === 'tool' && i.key === event.toolCallId
            ? { ...i, status: event.status, result: event.result, error: event.error }
            : i,
        ),
      };
    case 'message': {
      const m = event.message;
      if (m.role !== 'assistant') return state;
      // The stored reply closes its bubble; a provider that did not stream text still shows it.
      if (last?.kind === 'assistant' && last.open)
        return { ...state, items: [...items.slice(0, -1), { ...last, text: m.content || last.text, open: false }] };
      if (!m.content) return state;
      return { ...state, items: [...items, { kind: 'assistant', key: m.id, text: m.content, open: false }] };
    }
    case 'usage':
      return {
        ...state,
        usage: { promptTokens: event.promptTokens, completionTokens: event.completionTokens, steps: event.steps },
      };
    case 'done':
      return { ...state, items: closeAssistant(items), streaming: false };
    case 'error':
      return {
        ...state,
        items: closeAssistant(items),
        streaming: false,
        // The stream had started (200): the error came as its last event.
        error: new ApiError(0, event.code, event.message),
      };
  }
}

function closeAssistant(items: ChatItem[]): ChatItem[] {
  return items.map((i) => (i.kind === 'assistant' && i.open ? { ...i, open: false } : i));
}

/** The chat items of stored messages (oldest first): bubbles, and tool calls with the results stored for them. */
export function itemsOfLog(messages: Message[]): ChatItem[] {
  const items: ChatItem[] = [];
  for (const m of messages) {
    if (m.role === 'user') items.push({ kind: 'user', key: m.id, text: m.content });
    else if (m.role === 'assistant') {
      if (m.content) items.push({ kind: 'assistant', key: m.id, text: m.content, open: false });
      for (const call of m.toolCalls ?? [])
        items.push({ kind: 'tool', key: `${m.id}:${call.id}`, name: call.name, arguments: call.arguments });
    } else if (m.role === 'tool') {
      // The latest call of that id: providers may number calls afresh in each turn (call_0...).
      const call = items.findLast((i) => i.kind === 'tool' && i.key.endsWith(`:${m.toolCallId}`));
      if (call?.kind === 'tool') call.result = parseStored(m.content);
    }
  }
  return items;
}

function parseStored(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

export function userItem(text: string): ChatItem {
  return { kind: 'user', key: nextKey(), text };
}
