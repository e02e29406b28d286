import type { MessageResponseDto } from '../messages/dto/message-response.dto.js';

/**
 * What a turn streams, in order: the memories put in its prompt, text as the model writes it, each tool call and its result,
 * every stored message, the token usage, then `done` (or `error`, which ends the stream too).
 */
export type TurnEvent =
  | { type: 'memories'; memories: { id: string; memory: string; score: number }[] }
  | { type: 'assistant_delta'; text: string }
  | { type: 'tool_call'; toolCallId: string; name: string; arguments: unknown }
  | { type: 'tool_result'; toolCallId: string; name: string; status: 'ok' | 'error'; result?: unknown; error?: string }
  | { type: 'message'; message: MessageResponseDto }
  | { type: 'usage'; promptTokens: number; completionTokens: number; steps: number }
  | { type: 'done'; requestId: string }
  | { type: 'error'; code: string; message: string };

export type TurnEventSink = (event: TurnEvent) => void;
