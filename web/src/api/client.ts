/**
 * A small typed client for the Sagebrush REST API: JSON in and out, problem+json errors read into
 * ApiError, and the optional bearer token (set in the settings dialog) sent on every request.
 */
import type { Problem, ProblemBody } from './types.ts';

export const API_BASE = '/api/v1';
const TOKEN_KEY = 'sagebrush.apiToken';

export function getToken(): string | null {
  try {
    const t = window.localStorage.getItem(TOKEN_KEY);
    return t && t.trim() ? t.trim() : null;
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token && token.trim()) window.localStorage.setItem(TOKEN_KEY, token.trim());
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lasts for this page only */
  }
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly problems: Problem[];
  readonly requestId: string | undefined;

  constructor(status: number, body: Partial<ProblemBody> & { code: string; detail: string }) {
    super(body.detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.detail = body.detail;
    this.problems = Array.isArray(body.problems) ? body.problems : [];
    this.requestId = body.requestId;
  }

  /** Builds an ApiError from any response body: problem+json, plain JSON or text. */
  static fromBody(status: number, statusText: string, body: unknown): ApiError {
    if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      const code = typeof b.code === 'string' ? b.code : `HTTP_${status}`;
      const detail =
        typeof b.detail === 'string' ? b.detail : typeof b.message === 'string' ? b.message : typeof b.title === 'string' ? b.title : statusText || `HTTP ${status}`;
      return new ApiError(status, {
        code,
        detail,
        problems: Array.isArray(b.problems) ? (b.problems as Problem[]) : [],
        requestId: typeof b.requestId === 'string' ? b.requestId : undefined,
      });
    }
    const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : statusText || `HTTP ${status}`;
    return new ApiError(status, { code: `HTTP_${status}`, detail: text });
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Parses a response body as JSON when it claims to be JSON, else returns its text. */
export function parseBody(text: string, contentType: string | null): unknown {
  if (!text) return undefined;
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function buildUrl(path: string, query?: Query): string {
  const url = path.startsWith('/api/') ? path : `${API_BASE}${path.startsWith('/') ? '' : '/'}${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  /** Sent as JSON, unless it is FormData. */
  body?: unknown;
  signal?: AbortSignal;
}

/** Calls the API; resolves with the parsed JSON body (undefined for 204), rejects with ApiError. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...authHeaders() };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query), { method: options.method ?? 'GET', headers, body, signal: options.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, { code: 'NETWORK_ERROR', detail: `Cannot reach the Sagebrush server: ${(err as Error).message}` });
  }
  const text = await res.text();
  const parsed = parseBody(text, res.headers.get('content-type'));
  if (!res.ok) throw ApiError.fromBody(res.status, res.statusText, parsed);
  return parsed as T;
}
