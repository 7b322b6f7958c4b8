/**
 * Artifact keys are '/'-separated relative paths. Both stores check them the same way so that a key
 * valid on S3 is valid on disk and no key can escape the store's root.
 */
import { AppError } from '../../core/errors.ts';

function reject(key: string, why: string): never {
  throw new AppError('BAD_REQUEST', `Invalid artifact key "${key}": ${why}`, {
    problems: [{ field: 'key', problem: why, fix: "Use a relative '/'-separated path without '.', '..' or empty segments." }],
  });
}

/** Validates an object key (not a prefix). */
export function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) reject(String(key), 'it is empty');
  if (key.length > 1024) reject(key.slice(0, 40) + '…', 'it is longer than 1024 characters');
  if (key.startsWith('/') || /^[a-zA-Z]:/.test(key)) reject(key, 'it is absolute');
  if (key.includes('\\')) reject(key, 'it contains a backslash');
  if (key.includes('\0')) reject(key, 'it contains a NUL character');
  for (const seg of key.split('/')) {
    if (seg === '') reject(key, 'it has an empty segment (leading, trailing or double slash)');
    if (seg === '.' || seg === '..') reject(key, `it contains a "${seg}" segment`);
  }
  return key;
}

/** Validates a list/delete prefix: '' (everything) or a key-like string that may end with '/'. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** A file-system error that means the object's file is not there (a missing file, or a folder where it should be). */
export const isNotFound = (err: unknown): boolean => ['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

export function notFound(key: string): AppError {
  return new AppError('ARTIFACT_NOT_FOUND', `Artifact "${key}" does not exist`, { extra: { key } });
}
