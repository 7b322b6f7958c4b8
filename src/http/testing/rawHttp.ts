/**
 * Raw HTTP/1.1 over a TCP socket for tests: the request line goes out byte for byte (no client-side
 * URL normalisation), and responses are parsed strictly by Content-Length or chunked framing, so a
 * response whose length header disagrees with its body shows up as a failure or a stall.
 */
import { connect } from 'node:net';

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  bodyBytes: Buffer;
}

/** Parses one response at `buf[offset]`; undefined until it is complete. `head` = a HEAD request (no body). */
function parseOne(buf: Buffer, offset: number, head: boolean): { res: RawResponse; end: number } | undefined {
  const headEnd = buf.indexOf('\r\n\r\n', offset);
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = buf.subarray(offset, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const statusCode = Number(statusLine!.split(' ')[1]);
  let at = headEnd + 4;
  let bodyBytes: Buffer;
  if (head || statusCode === 204 || statusCode === 304) bodyBytes = Buffer.alloc(0);
  else if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
      if (size === 0) break;
    }
    bodyBytes = Buffer.concat(parts);
  } else {
    const length = Number(headers['content-length'] ?? 0);
    if (buf.length < at + length) return undefined;
    bodyBytes = buf.subarray(at, at + length);
    at += length;
  }
  return { res: { statusCode, headers, body: bodyBytes.toString('utf8'), bodyBytes }, end: at };
}

/**
 * Writes `requests` one after another on ONE connection (each sent when the previous answer is complete)
 * and resolves with the parsed responses; rejects if the server closes early or `timeoutMs` passes.
 * Bytes left over after the last response (a desynchronised connection) are reported as `extra`.
 */
export function rawExchange(address: { host: string; port: number }, requests: Array<string | Buffer>, timeoutMs = 5000): Promise<{ responses: RawResponse[]; extra: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(address.port, address.host);
    const responses: RawResponse[] = [];
    let buf = Buffer.alloc(0);
    let offset = 0;
    const timer = setTimeout(() => finish(new Error(`timed out after ${responses.length}/${requests.length} responses`)), timeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve({ responses, extra: buf.length - offset });
    };
    const isHead = (i: number) => String(requests[i]).startsWith('HEAD ');
    socket.on('connect', () => socket.write(requests[0]!));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (let parsed = parseOne(buf, offset, isHead(responses.length)); parsed; parsed = parseOne(buf, offset, isHead(responses.length))) {
        responses.push(parsed.res);
        offset = parsed.end;
        if (responses.length === requests.length) {
          // Wait a moment: anything arriving after the last response means the framing was wrong.
          setTimeout(() => finish(), 50);
          return;
        }
        socket.write(requests[responses.length]!);
      }
    });
    // The server may close while we still write (e.g. after a 431): a complete answer still counts.
    socket.on('error', (err) => finish(responses.length === requests.length ? undefined : err));
    socket.on('close', () => {
      if (responses.length < requests.length) finish(new Error(`connection closed after ${responses.length}/${requests.length} responses`));
    });
  });
}

/** One raw request on its own connection. */
export async function rawRequest(address: { host: string; port: number }, request: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return (await rawExchange(address, [request], timeoutMs)).responses[0]!;
}
