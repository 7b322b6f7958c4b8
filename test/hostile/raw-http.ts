/**
 * HTTP/1.1 over a plain socket to 127.0.0.1: the request target and headers go out byte for byte (duplicate
 * headers, 200 KB values, absolute-form targets), and the answer is read to the end of the connection whatever
 * it is — an early answer to a request still being written, a body shorter or longer than its Content-Length
 * (reported, not hidden by a strict client parser).
 */
import { connect } from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Why the framing is wrong (Content-Length differs from the bytes sent, bad chunking), or undefined. */
  framing?: string;
}

export type HeaderList = Record<string, string> | Array<[string, string]>;

function parse(raw: Buffer, method: string): RawReply {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete HTTP response head (${raw.length} bytes: ${JSON.stringify(raw.subarray(0, 80).toString('latin1'))})`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: RawReply['headers'] = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    const prev = headers[k];
    headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  let body = raw.subarray(end + 4);
  let framing: string | undefined;
  if (method === 'HEAD' || status === 204 || status === 304) body = Buffer.alloc(0);
  else if (/chunked/i.test(String(headers['transfer-encoding'] ?? ''))) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', at);
      if (nl < 0) {
        framing = 'chunked body ends without a last chunk';
        break;
      }
      const size = parseInt(body.subarray(at, nl).toString('latin1'), 16);
      if (!Number.isFinite(size)) {
        framing = 'bad chunk size';
        break;
      }
      if (size === 0) break;
      parts.push(body.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (body.length !== n) framing = `Content-Length ${n} but ${body.length} body bytes were sent`;
    body = body.subarray(0, n);
  }
  return { status, headers, body: body.toString('utf8'), ...(framing ? { framing } : {}) };
}

export function rawHttp(base: string, method: string, target: string, headers: HeaderList = {}, body?: Buffer | string, timeoutMs = 10_000): Promise<RawReply> {
  const url = new URL(base);
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const list = Array.isArray(headers) ? headers : Object.entries(headers);
  const head = [`${method} ${target} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', ...list.map(([k, v]) => `${k}: ${v}`)];
  if (payload) head.push(`Content-Length: ${payload.length}`);
  return rawBytes(base, Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload ?? Buffer.alloc(0)]), method, timeoutMs);
}

/** Sends `request` byte for byte (a whole request, possibly malformed) and parses whatever comes back. */
export function rawBytes(base: string, request: Buffer, method = 'GET', timeoutMs = 10_000): Promise<RawReply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const timer = setTimeout(() => socket.destroy(new Error(`no complete answer within ${timeoutMs} ms to ${JSON.stringify(request.subarray(0, 60).toString('latin1'))}`)), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may answer (e.g. 431) and close while the request is still being written: keep what arrived.
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (chunks.length === 0 && e.code !== 'EPIPE' && e.code !== 'ECONNRESET') {
        clearTimeout(timer);
        reject(e);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks), method));
      } catch (e) {
        reject(e);
      }
    });
    // No half-close: the server answers and closes (Connection: close); a FIN first may make it drop the request.
    socket.write(request);
  });
}
