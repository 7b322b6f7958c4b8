import { randomBytes } from 'node:crypto';

let lastTime = 0;
let counter = 0;

/**
 * Sortable, URL-safe ids: `<prefix>_<time base36><counter><random hex>`. Time first so ids sort by
 * creation, which keeps "newest first" pagination stable without a second sort key; the counter keeps
 * ids made within one millisecond in creation order.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now === lastTime) counter++;
  else {
    lastTime = now;
    counter = 0;
  }
  const time = now.toString(36).padStart(9, '0');
  return `${prefix}_${time}${counter.toString(36).padStart(3, '0')}${randomBytes(5).toString('hex')}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
