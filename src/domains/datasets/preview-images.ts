/** Preview rows of an image-folder version, read from the index written at import: [path, label, bytes]. */
import type { Readable } from 'node:stream';
import { LineSplitter } from './formats/jsonl.ts';

export async function previewImages(stream: Readable, offset: number, limit: number): Promise<string[][]> {
  const rows: string[][] = [];
  let index = -1;
  const splitter = new LineSplitter(Number.MAX_SAFE_INTEGER, (buf, start, end) => {
    if (end <= start || rows.length >= limit) return;
    index++;
    if (index < offset) return;
    const [path, label, bytes] = JSON.parse(buf.toString('utf8', start, end)) as [string, string | null, number];
    rows.push([path, label ?? '', String(bytes)]);
  }, () => {});
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      splitter.push(chunk);
      if (rows.length >= limit) break;
    }
    if (rows.length < limit) splitter.end();
  } finally {
    stream.destroy();
  }
  return rows;
}
