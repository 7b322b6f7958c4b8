/**
 * Downloads that work with a bearer token: links keep their real URL (copyable, opened natively when no
 * token is set); with a token, the click fetches the file with the Authorization header and saves a blob.
 */
import type { MouseEvent } from 'react';
import { ApiError, authHeaders, getToken, parseBody } from './client.ts';

export async function downloadWithAuth(url: string, fileName: string): Promise<void> {
  const res = await fetch(url, { headers: authHeaders() });
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw ApiError.fromBody(res.status, res.statusText, parseBody(text, res.headers.get('content-type')));
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** onClick for an `<a href download>`: lets the browser download unless a token must be sent. */
export function authDownloadClick(url: string, fileName: string, onError?: (err: unknown) => void) {
  return (e: MouseEvent<HTMLElement>) => {
    if (!getToken()) return;
    e.preventDefault();
    downloadWithAuth(url, fileName).catch((err: unknown) => onError?.(err));
  };
}
