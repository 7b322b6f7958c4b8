/** Streaming an upload into the artifact store: sha256 + size on the fly, with the size limit enforced. */
import { createHash } from 'node:crypto';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { AppError, isAppError } from '../../core/errors.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${Number(v.toFixed(1))} ${units[i]}`;
}

export function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the upload limit of ${formatBytes(limit)}. Nothing was stored.`, {
    problems: [{ field: 'file', problem: `larger than ${formatBytes(limit)}${limit >= 1024 ? ` (${limit} bytes)` : ''}`, fix: 'Upload a smaller file (split it), or raise SAGEBRUSH_MAX_UPLOAD_BYTES.' }],
    extra: { limitBytes: limit },
  });
}

class UploadMeter extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) return cb(tooLarge(this.limit));
    this.hash.update(chunk);
    cb(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Streams `source` to `key`; rejects (leaving nothing under `key`) on any error or when over `limit`. */
export async function storeUpload(artifacts: ArtifactStore, key: string, source: Readable | AsyncIterable<Uint8Array>, limit: number, contentType?: string): Promise<{ size: number; sha256: string }> {
  const input = source instanceof Readable ? source : Readable.from(source);
  const meter = new UploadMeter(limit);
  let sourceError: unknown;
  pipeline(input, meter, (err) => {
    if (err) sourceError ??= err;
  });
  try {
    await artifacts.put(key, meter, contentType ? { contentType } : undefined);
  } catch (err) {
    input.destroy();
    meter.destroy();
    throw uploadError(err ?? sourceError);
  }
  if (sourceError) throw uploadError(sourceError);
  return { size: meter.size, sha256: meter.digest() };
}

function uploadError(err: unknown): unknown {
  if (isAppError(err)) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return new AppError('STORAGE_UNAVAILABLE', 'The artifact store is out of disk space; the upload was not stored.', { cause: err });
  if (e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.code === 'ECONNRESET' || /aborted|terminated early|premature|unexpected end/i.test(e?.message ?? '')) {
    return new AppError('BAD_REQUEST', 'The upload was interrupted before the whole file arrived; nothing was stored. Upload it again.', { cause: err });
  }
  return err;
}
