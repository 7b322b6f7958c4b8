import { randomBytes } from 'node:crypto';

/**
 * Sortable, URL-safe ids: `<prefix>_<time base36><random hex>`. Time first so ids sort by creation,
 * which keeps list pagination stable without a second sort key.
 */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(6).toString('hex')}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
