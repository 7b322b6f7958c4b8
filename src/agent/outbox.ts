/**
 * The agent's on-disk queue: one file per item (`<data>/outbox/<kind>/<id>.json`), written to a temp name and
 * renamed, so a crash leaves either the whole item or none. The id is the item's own (deterministic per image), so
 * writing an item twice leaves one file, and the server stores it once however often it is sent. An item is deleted
 * only after the server acknowledged it. Size is tracked to bound disk use (the cap check is the caller's).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OUTBOX_KINDS = ['heartbeats', 'results', 'feedback'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxItem<T = unknown> {
  id: string;
  file: string;
  body: T;
}

export class Outbox {
  private bytes = 0;
  private counts: Record<OutboxKind, number> = { heartbeats: 0, results: 0, feedback: 0 };
  private seq = 0;

  constructor(private readonly root: string) {
    for (const kind of OUTBOX_KINDS) {
      const dir = join(root, kind);
      mkdirSync(dir, { recursive: true });
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        // A temp file is an item whose write was cut short: it never became visible, so it is dropped.
        if (name.endsWith('.tmp')) rmSync(path, { force: true });
        else if (name.endsWith('.json')) {
          this.bytes += statSync(path).size;
          this.counts[kind]++;
        }
      }
    }
  }

  /** Writes (or rewrites) an item; returns its size. Heartbeats are named by time so they sort in order. */
  put(kind: OutboxKind, id: string, body: unknown): number {
    const name = kind === 'heartbeats' ? `${Date.now().toString().padStart(15, '0')}-${(this.seq++).toString().padStart(6, '0')}-${id}.json` : `${id}.json`;
    const path = join(this.root, kind, name);
    const text = JSON.stringify(body);
    let previous = 0;
    try {
      previous = statSync(path).size;
    } catch {
      this.counts[kind]++; // a new item
    }
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
    this.bytes += Buffer.byteLength(text) - previous;
    return Buffer.byteLength(text);
  }

  /** Up to `limit` items of a kind, oldest name first. */
  take<T>(kind: OutboxKind, limit: number): Array<OutboxItem<T>> {
    const dir = join(this.root, kind);
    const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort().slice(0, limit);
    const out: Array<OutboxItem<T>> = [];
    for (const name of names) {
      const file = join(dir, name);
      try {
        out.push({ id: name.slice(0, -5), file, body: JSON.parse(readFileSync(file, 'utf8')) as T });
      } catch {
        this.remove(kind, file); // unreadable (cannot happen with rename-on-write; never block the queue on it)
      }
    }
    return out;
  }

  remove(kind: OutboxKind, file: string): void {
    try {
      const size = statSync(file).size;
      rmSync(file);
      this.bytes -= size;
      this.counts[kind]--;
    } catch {
      // already gone
    }
  }

  /** Drops the oldest heartbeats beyond `keep` (a device that was offline for days needs only its recent ones). */
  trimHeartbeats(keep: number): void {
    const dir = join(this.root, 'heartbeats');
    const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
    for (const name of names.slice(0, Math.max(0, names.length - keep))) this.remove('heartbeats', join(dir, name));
  }

  get size(): { bytes: number; depth: number; counts: Record<OutboxKind, number> } {
    return { bytes: this.bytes, depth: this.counts.results + this.counts.feedback + this.counts.heartbeats, counts: { ...this.counts } };
  }
}
