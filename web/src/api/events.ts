/**
 * Server-Sent Events over fetch (EventSource cannot send the Authorization header). Each `data:` block
 * is parsed as JSON and handed to onEvent; comments (heartbeats) and non-JSON data are ignored.
 * Resolves when the server ends the stream; rejects when it cannot be opened, so callers can fall back
 * to polling.
 */
import { ApiError, authHeaders, buildUrl, parseBody } from './client.ts';

export async function streamEvents<T>(path: string, onEvent: (event: T) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(buildUrl(path), { headers: { accept: 'text/event-stream', ...authHeaders() }, signal, cache: 'no-store' });
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    throw ApiError.fromBody(res.status, res.statusText, parseBody(text, res.headers.get('content-type')));
  }
  if (!/text\/event-stream/i.test(res.headers.get('content-type') ?? '')) {
    await res.body.cancel().catch(() => undefined);
    throw new ApiError(res.status, { code: 'SSE_UNSUPPORTED', detail: 'The server did not answer with an event stream.' });
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const blocks = buffer.split(/\r?\n\r?\n/);
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const data = parseSseBlock(block);
      if (data !== undefined) onEvent(data as T);
    }
  }
}

/** Returns the JSON value of one SSE block's data lines, or undefined. */
export function parseSseBlock(block: string): unknown {
  const lines = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
  if (lines.length === 0) return undefined;
  try {
    return JSON.parse(lines.join('\n'));
  } catch {
    return undefined;
  }
}
