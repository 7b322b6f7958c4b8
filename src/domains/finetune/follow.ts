/**
 * Follows metrics.jsonl while the trainer runs: reads what was appended since the last look (from the byte offset
 * the file had when this attempt started, so an earlier attempt's lines are not taken for this one's) and hands
 * complete lines over as events. A line still being written waits for the next look.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { parseMetricsLine, type MetricsEvent } from './metrics.ts';

export class MetricsFollower {
  private offset: number;
  private partial = '';
  readonly events: MetricsEvent[] = [];

  constructor(private readonly file: string) {
    this.offset = existsSync(file) ? statSync(file).size : 0;
  }

  /** New complete events since the last call. */
  poll(): MetricsEvent[] {
    if (!existsSync(this.file)) return [];
    const size = statSync(this.file).size;
    if (size <= this.offset) return [];
    const fd = openSync(this.file, 'r');
    const buf = Buffer.alloc(size - this.offset);
    readSync(fd, buf, 0, buf.length, this.offset);
    closeSync(fd);
    this.offset = size;
    const lines = (this.partial + buf.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    const fresh = lines.map(parseMetricsLine).filter((e): e is MetricsEvent => e !== null);
    this.events.push(...fresh);
    return fresh;
  }
}
