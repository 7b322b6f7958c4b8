/** Test helpers for AppError assertions (not imported by production code). */
import type { AppError } from '../errors.ts';

function caught(f: () => unknown): AppError | undefined {
  try {
    f();
  } catch (err) {
    return err as AppError;
  }
  return undefined;
}

/** The error `f` throws; fails the test when it returns. */
export function thrown(f: () => unknown): AppError {
  const err = caught(f);
  if (!err) throw new Error('expected an error, but it returned');
  return err;
}

/** The AppError code `f` throws, or 'none' when it returns. */
export function codeOf(f: () => unknown): string {
  return caught(f)?.code ?? 'none';
}
