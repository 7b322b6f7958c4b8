import type { Readable } from 'node:stream';

export interface ArtifactInfo {
  key: string;
  size: number;
  modifiedAt: string;
}

/**
 * Where datasets, models and job outputs live. Keys are '/'-separated relative paths
 * (e.g. `datasets/ds_x/v1/train.csv`); implementations reject absolute keys and `..` segments.
 * Writes are atomic: a reader sees the old object or the whole new one, never a partial write.
 */
export interface ArtifactStore {
  readonly kind: 'file' | 's3';
  /** Writes a whole object. A stream is consumed to the end; on error nothing is left under `key`. */
  put(key: string, body: Buffer | string | Readable, options?: { contentType?: string }): Promise<ArtifactInfo>;
  /** Reads a whole object; throws AppError ARTIFACT_NOT_FOUND when missing. */
  get(key: string): Promise<Buffer>;
  /** Streams an object; throws AppError ARTIFACT_NOT_FOUND when missing. */
  getStream(key: string): Promise<Readable>;
  stat(key: string): Promise<ArtifactInfo | undefined>;
  exists(key: string): Promise<boolean>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every key under a prefix (a "folder"). */
  deletePrefix(prefix: string): Promise<number>;
  list(prefix: string): Promise<ArtifactInfo[]>;
  /**
   * A local file path holding the object's bytes, for libraries that need a path (onnxruntime, llama.cpp).
   * For local stores it is the file itself; for remote stores a cached download. Read-only use.
   */
  localPath(key: string): Promise<string>;
  close(): Promise<void>;
}
