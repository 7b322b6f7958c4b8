/**
 * Multipart upload with progress. fetch() cannot report upload progress, so this uses XMLHttpRequest.
 */
import { ApiError, authHeaders, buildUrl, parseBody } from './client.ts';

export interface UploadHandle<T> {
  promise: Promise<T>;
  abort(): void;
}

export function uploadWithProgress<T>(path: string, form: FormData, onProgress: (fraction: number) => void): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', buildUrl(path));
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      const body = parseBody(xhr.responseText, xhr.getResponseHeader('content-type'));
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(ApiError.fromBody(xhr.status, xhr.statusText, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { code: 'NETWORK_ERROR', detail: 'The upload failed: the server could not be reached.' }));
    xhr.onabort = () => reject(new ApiError(0, { code: 'ABORTED', detail: 'The upload was cancelled.' }));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
