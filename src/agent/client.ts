/**
 * The agent's HTTP client for /api/v1/edge/device/…: the device token on every call, a timeout, and errors sorted
 * into what the agent does next: `offline` (no answer or 5xx: back off and retry), `auth` (401: the token is invalid
 * or revoked — keep running, retry slowly), `rejected` (another 4xx: this item will never be accepted).
 */
export type Failure = { kind: 'offline' | 'auth' | 'rejected'; status: number; code: string; message: string };

export class DeviceClient {
  constructor(private readonly server: string, private readonly token: string) {}

  async call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, timeoutMs = 15_000): Promise<{ ok: true; res: Response } | { ok: false; failure: Failure }> {
    let res: Response;
    try {
      res = await fetch(`${this.server.replace(/\/$/, '')}/api/v1/edge/device${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return { ok: false, failure: { kind: 'offline', status: 0, code: 'EDGE_SERVER_UNREACHABLE', message: `${this.server} did not answer: ${(err as Error).message}` } };
    }
    if (res.ok) return { ok: true, res };
    let code = 'EDGE_SERVER_UNREACHABLE';
    let message = `HTTP ${res.status}`;
    try {
      const problem = (await res.json()) as { code?: string; detail?: string };
      code = problem.code ?? code;
      message = problem.detail ?? message;
    } catch {
      // not a problem document (a proxy's error page)
    }
    const kind = res.status === 401 ? 'auth' : res.status >= 500 || res.status === 408 || res.status === 429 ? 'offline' : 'rejected';
    return { ok: false, failure: { kind, status: res.status, code: kind === 'offline' && res.status >= 500 ? 'EDGE_SERVER_UNREACHABLE' : code, message } };
  }
}
