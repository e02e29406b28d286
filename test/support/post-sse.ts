/** One event of a Server-Sent Events response. */
export interface StreamedEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
  /** Milliseconds from the request's start. */
  at: number;
}

/**
 * POSTs a JSON body and reads the Server-Sent Events answer to its end (EventSource can only
 * GET, and would reconnect, i.e. post again). Non-SSE answers come back as `status` + `json`.
 */
export async function postSse(
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; events: StreamedEvent[]; json?: unknown; firstByteMs: number | null }> {
  const start = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  if (!res.headers.get('content-type')?.startsWith('text/event-stream'))
    return { status: res.status, events: [], json: await res.json(), firstByteMs: null };
  const events: StreamedEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let firstByteMs: number | null = null;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    firstByteMs ??= performance.now() - start;
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        fields[line.slice(0, colon)] = (fields[line.slice(0, colon)] ?? '') + line.slice(colon + 1).trimStart();
      }
      if (fields.data !== undefined)
        events.push({
          id: fields.id ?? '',
          event: fields.event ?? 'message',
          data: JSON.parse(fields.data) as Record<string, unknown>,
          at: performance.now() - start,
        });
    }
  }
  return { status: res.status, events, firstByteMs };
}
