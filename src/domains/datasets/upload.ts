/** Streaming an upload into the artifact store: sha256 + size on the fly, with the size limit enforced. */
import { createHash } from 'node:crypto';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { AppError, isAppError } from '../../core/errors.ts';
import { uploadTooLarge } from '../../core/http/multipart.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';

/** The size-limit error of every upload (the multipart reader fails the same way when the plugin truncates). */
export const tooLarge = (limit: number): AppError => uploadTooLarge(limit);

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
