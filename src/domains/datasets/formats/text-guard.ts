/**
 * Checks a text stream chunk by chunk (valid UTF-8, no NUL bytes), counts bytes and lines, and turns
 * the first bad byte into an error naming its byte offset, line and row. Also throttles progress.
 */
import { AppError } from '../../../core/errors.ts';
import { binaryAt } from './detect.ts';
import type { ProgressFn } from './types.ts';
import { Utf8Checker } from './utf8.ts';

export interface GuardIssue {
  index: number;
  kind: 'encoding' | 'binary';
}

export class TextGuard {
  /** Bytes consumed so far. */
  bytes = 0;
  /** Line number (1-based) of the next byte. */
  line = 1;
  private readonly utf8 = new Utf8Checker();

  constructor(private readonly fileName: string) {}

  /** The first bad byte in `chunk`, or undefined. Call `advance` with the part that was processed. */
  inspect(chunk: Buffer): GuardIssue | undefined {
    const nul = chunk.indexOf(0);
    const bad = this.utf8.check(nul >= 0 ? chunk.subarray(0, nul) : chunk);
    if (bad >= 0) return { index: bad, kind: 'encoding' };
    if (nul >= 0) return { index: nul, kind: 'binary' };
    return undefined;
  }

  advance(chunk: Buffer): void {
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) this.line++;
  }

  /** Call at end of input; throws when the file ends inside a multi-byte character. */
  finish(row: number): void {
    const at = this.utf8.finish();
    if (at >= 0) throw this.encodingError(at, row);
  }

  /**
   * Throws at the first bad byte of `chunk`, if any: the bytes before it are consumed (and handed to `before`, so
   * a reader can finish the records they complete), then the error names the row `row()` gives at that point.
   */
  async throwIfBad(chunk: Buffer, row: () => number, before?: (prefix: Buffer) => Promise<void>): Promise<void> {
    const issue = this.inspect(chunk);
    if (!issue) return;
    const prefix = chunk.subarray(0, issue.index);
    this.advance(prefix);
    await before?.(prefix);
    throw this.error(issue, row());
  }

  /** The error for an issue at `issue.index` of a chunk, after `advance(chunk.subarray(0, index))`. */
  error(issue: GuardIssue, row: number): AppError {
    if (issue.kind === 'binary') return binaryAt(this.fileName, this.bytes, this.line, row);
    return this.encodingError(this.bytes, row);
  }

  private encodingError(offset: number, row: number): AppError {
    return new AppError('FILE_ENCODING', `${this.fileName} is not valid UTF-8: invalid byte sequence at byte offset ${offset}, row ${row} (line ${this.line}).`, {
      problems: [{ row, problem: `invalid UTF-8 at byte offset ${offset} (line ${this.line})`, fix: 'Re-save the file as UTF-8 (spreadsheets: "CSV UTF-8"; or `iconv -f latin1 -t utf-8 in.csv > out.csv`).' }],
      extra: { offset, line: this.line },
    });
  }
}

/** Calls `onProgress` at most every `intervalMs` (and always awaits it, so a slow listener applies back-pressure). */
export class ProgressThrottle {
  private last = 0;

  constructor(private readonly onProgress: ProgressFn | undefined, private readonly total: number, private readonly intervalMs = 250) {}

  async tick(done: number, message: string): Promise<void> {
    if (!this.onProgress) return;
    const now = Date.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    await this.onProgress(this.total > 0 ? Math.min(1, done / this.total) : 0, message);
  }
}

/** Re-yields `head` and then the rest of `source` (for readers that peeked at the first bytes). */
export async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** Reads at least `n` bytes (or to the end) from `it`; returns them and whether the input ended. */
export async function readHead(it: AsyncIterator<Buffer>, n: number): Promise<{ head: Buffer; ended: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const r = await it.next();
    if (r.done) return { head: Buffer.concat(parts), ended: true };
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    parts.push(chunk);
    size += chunk.length;
  }
  return { head: Buffer.concat(parts), ended: false };
}
