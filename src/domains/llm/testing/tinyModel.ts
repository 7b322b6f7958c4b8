/** The tiny GGUF the LLM tests use (karpathy's stories260K, see ../shared/data/llm-tiny/PROVENANCE.md). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
export const TINY_GGUF = join(REPO_ROOT, '..', 'shared', 'data', 'llm-tiny', 'stories260K.gguf');

/** Why the model tests cannot run here, or null. */
export function tinyModelMissing(): string | null {
  return existsSync(TINY_GGUF) ? null : `the test model ${TINY_GGUF} is absent (see data/README.md in the shared folder)`;
}

/** A multipart/form-data body with text fields and one file part. */
export function multipart(fields: Record<string, string>, file: { name: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = `----sbtest${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Parses an SSE body into its `data:` payloads (JSON where it parses, else the raw string). */
export function sseEvents(body: string): Array<{ event?: string; data: any }> {
  return body
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const raw = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      let data: unknown = raw;
      try {
        data = JSON.parse(raw);
      } catch {
        /* [DONE] */
      }
      return event ? { event, data } : { data };
    });
}
