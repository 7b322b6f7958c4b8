/**
 * A lean HTTP/1.1 keep-alive client for the load generators (bench/text.load.ts, bench/cds.load.ts): one socket,
 * one request in flight, the request written as one pre-built buffer and the answer read by its Content-Length (or
 * chunked encoding). Why not node:http: on these 2 shared cores every microsecond the load generator spends is taken
 * from the server it measures, and node:http's client machinery (agent, header objects, streams, per-request
 * events) cost ~140 µs of CPU per request against ~170 µs for the whole server side of a text classification — as
 * wrk or autocannon do, the generator should cost little next to what it measures. Loopback (127.0.0.1) only.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  body: Buffer;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** A request's bytes: request line, Host, Content-Type/Accept JSON, Content-Length, then the body. */
export function buildPost(port: number, path: string, body: Buffer): Buffer {
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

interface Pending {
  resolve: (r: RawResponse) => void;
  reject: (err: Error) => void;
}

/** One keep-alive connection to 127.0.0.1:port; reconnects when the server closed it. */
export class RawHttpConnection {
  private socket: Socket | undefined;
  private pending: Pending | undefined;
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly port: number) {}

  /** Sends `request` (from buildPost) and resolves with the status and the whole body. */
  send(request: Buffer): Promise<RawResponse> {
    if (this.pending) return Promise.reject(new Error('rawHttp: one request at a time per connection'));
    return new Promise<RawResponse>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.buf = Buffer.alloc(0);
      (this.socket ??= this.open()).write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    const s = connect({ host: '127.0.0.1', port: this.port, noDelay: true });
    s.on('data', (chunk: Buffer) => this.socket === s && this.onData(chunk));
    const fail = (err: Error) => {
      if (this.socket !== s) return; // an old connection (closed after a `Connection: close` answer)
      this.socket = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    s.on('error', fail);
    s.on('close', () => fail(new Error('rawHttp: the server closed the connection before answering')));
    return s;
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const r = parseResponse(this.buf);
    if (!r) return;
    const p = this.pending;
    this.pending = undefined;
    this.buf = Buffer.alloc(0);
    if (r.close) this.close();
    p?.resolve({ status: r.status, body: r.body });
  }
}

/** The response in `buf` once it is complete (undefined while bytes are missing). Exported for the test. */
export function parseResponse(buf: Buffer): { status: number; body: Buffer; close: boolean } | undefined {
  const end = buf.indexOf(CRLF2);
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  if (!head.startsWith('HTTP/1.') || !Number.isInteger(status)) throw new Error(`rawHttp: not an HTTP/1.x response: ${JSON.stringify(head.slice(0, 40))}`);
  const lower = head.toLowerCase();
  const close = /\r\nconnection:\s*close/.test(lower);
  const start = end + 4;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(lower);
  if (length) {
    const n = Number(length[1]);
    return buf.length >= start + n ? { status, body: buf.subarray(start, start + n), close } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/.test(lower)) {
    const parts: Buffer[] = [];
    for (let at = start; ;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('rawHttp: bad chunk size');
      if (size === 0) return buf.indexOf(CRLF2, lineEnd) === lineEnd ? { status, body: Buffer.concat(parts), close } : undefined;
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  // no length and not chunked: HTTP/1.1 says the body runs to the connection's close — never sent by these servers
  if (status === 204 || status === 304) return { status, body: Buffer.alloc(0), close };
  throw new Error(`rawHttp: a ${status} response without Content-Length or chunked encoding`);
}
