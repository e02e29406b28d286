import { errorOf } from '../../api/client';

/** One Server-Sent Events frame: its `event:` name and its `data:` lines joined. */
export interface SseFrame {
  event: string;
  data: string;
}

/**
 * Splits a growing SSE text into its complete frames (separated by a blank line) and the rest,
 * which waits for more bytes. Comments (`:`) and `id:`/`retry:` lines are skipped.
 */
export function takeFrames(buffer: string): { frames: SseFrame[]; rest: string } {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const parts = normalized.split('\n\n');
  const rest = parts.pop() ?? '';
  const frames: SseFrame[] = [];
  for (const part of parts) {
    let event = 'message';
    const data: string[] = [];
    for (const line of part.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) frames.push({ event, data: data.join('\n') });
  }
  return { frames, rest };
}

/**
 * POSTs and reads the answer as an SSE stream (EventSource cannot POST), calling `onFrame` for
 * each frame as it arrives. An error answer before the stream starts throws as an ApiError.
 */
export async function postSse(
  fetchAnswer: () => Promise<Response>,
  onFrame: (frame: SseFrame) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await fetchAnswer();
  if (!response.ok) throw await errorOf(response);
  if (!response.body) throw new Error('The answer has no body to stream');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const cancel = () => void reader.cancel();
  signal?.addEventListener('abort', cancel);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const { frames, rest } = takeFrames(buffer);
      buffer = rest;
      frames.forEach(onFrame);
    }
    if (!signal?.aborted) takeFrames(buffer + '\n\n').frames.forEach(onFrame);
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
