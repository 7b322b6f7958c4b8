/**
 * Keyset pagination shared by list endpoints: `?limit=1..200 (default 50)&cursor=<opaque>` →
 * `{items, nextCursor}`. Ids are time-sortable (core/ids.ts), so "newest first" is `ORDER BY id DESC`
 * and the cursor is the last id of the previous page, base64url-encoded so clients treat it as opaque.
 */
import type { SelectQueryBuilder } from 'kysely';
import { AppError } from '../core/errors.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[\w-]{1,200}$/.test(id)) {
    throw new AppError('BAD_REQUEST', `Invalid cursor "${cursor}"`, {
      problems: [{ field: 'cursor', problem: 'not a cursor returned by this API', fix: 'Pass nextCursor from the previous page unchanged, or omit it.' }],
    });
  }
  return id;
}

/**
 * Builds a page from rows fetched with `LIMIT limit + 1`: the extra row only says whether there is a
 * next page.
 */
export function toPage<R, T>(rows: R[], limit: number, idOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(map), nextCursor: hasMore && last !== undefined ? encodeCursor(idOf(last)) : null };
}

/** One newest-first page of `query` (rows with a time-sortable `id`, filters already applied): order, cursor, limit + 1. */
export async function newestFirstPage<R extends { id: string }, T>(query: SelectQueryBuilder<any, any, R>, q: { limit?: number; cursor?: string }, map: (row: R) => T): Promise<Page<T>> {
  const limit = clampLimit(q.limit);
  const after = decodeCursor(q.cursor);
  let page = query.orderBy('id', 'desc').limit(limit + 1);
  if (after) page = page.where('id', '<', after);
  return toPage(await page.execute(), limit, (r) => r.id, map);
}
