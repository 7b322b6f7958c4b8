/**
 * Reads over the offline store: point-in-time retrieval (entity rows → values as of each timestamp, streamed from the
 * key-ordered scan through the as-of join) and the latest row per record id (optionally of rows matching a filter:
 * "the latest APPROVED label per image", i.e. row_number() over event time per id, without SQL JSON dialects).
 */
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../storage/schema.ts';
import { createAsOfJoin } from './pit.ts';
import type { FeatureGroup, FeatureRecord, LatestQuery, RetrievedRow, RetrieveOptions, RetrieveResult } from './schema.ts';
import { scanRecords, scanTuning } from './store.ts';
import { isoOf, parseTime } from './validate.ts';

function checkFeatureNames(group: FeatureGroup, names: string[] | undefined, field: string): void {
  const unknown = (names ?? []).filter((n) => !group.features.some((f) => f.name === n));
  if (unknown.length) throw new AppError('FEATURE_ENTITIES_INVALID', `Feature group "${group.name}" has no feature ${unknown.map((u) => `"${u}"`).join(', ')}.`, { problems: unknown.map((u) => ({ field, problem: `"${u}" is not a feature of the group`, fix: `Use features of the group: ${group.features.map((f) => f.name).join(', ')}.` })) });
}

export async function retrieveAsOf(db: Kysely<Database>, group: FeatureGroup, entities: { ids: string[]; times: Float64Array }, options: RetrieveOptions): Promise<RetrieveResult> {
  checkFeatureNames(group, options.features, 'features');
  const join = createAsOfJoin<string>(entities.ids, entities.times, options.ttlSeconds ? { ttlMs: options.ttlSeconds * 1000 } : {});
  const scan = scanRecords(db, group.id, { maxTime: join.maxTime, ...(join.ids.length <= scanTuning.seekIds ? { ids: join.ids } : {}) });
  for await (const page of scan) {
    for (const r of page) join.push(r.record_id, Number(r.event_time), r.values_json);
  }
  const chosen = join.finish();
  const pick = options.features;
  // A row chosen for several entities is parsed once.
  const parsed = new Map<string, Record<string, unknown>>();
  const valuesOf = (json: string) => {
    let v = parsed.get(json);
    if (!v) {
      const all = JSON.parse(json) as Record<string, unknown>;
      v = pick ? Object.fromEntries(pick.map((k) => [k, all[k] ?? null])) : all;
      parsed.set(json, v);
    }
    return v;
  };
  let matched = 0;
  const items: RetrievedRow[] = chosen.map((c, i) => {
    if (c) matched++;
    return { recordId: entities.ids[i]!, timestamp: isoOf(entities.times[i]!), eventTime: c ? isoOf(c.eventTime) : null, values: c ? valuesOf(c.payload) : null };
  });
  return { group: group.name, rows: items.length, matched, items };
}

export async function latestPerId(db: Kysely<Database>, group: FeatureGroup, query: LatestQuery): Promise<{ items: FeatureRecord[]; nextCursor: string | null }> {
  const where = Object.entries(query.where ?? {});
  checkFeatureNames(group, where.map(([k]) => k), 'where');
  const asOf = query.asOf === undefined ? undefined : parseTime(query.asOf);
  if (query.asOf !== undefined && asOf === undefined) throw new AppError('FEATURE_ENTITIES_INVALID', `asOf ${JSON.stringify(query.asOf)} is not a timestamp.`, { problems: [{ field: 'asOf', problem: 'is not a timestamp', fix: 'Use ISO-8601 or epoch milliseconds.' }] });
  const limit = query.limit ?? 1000;
  const items: FeatureRecord[] = [];
  let current: FeatureRecord | undefined;
  const flush = () => {
    if (current) items.push(current);
    current = undefined;
  };
  // Rows come by record id, then event time: the last matching row of each id's run is its latest.
  outer: for await (const page of scanRecords(db, group.id, { full: true, ...(asOf !== undefined ? { maxTime: asOf } : {}), ...(query.cursor ? { after: query.cursor } : {}) })) {
    for (const r of page) {
      if (current && current.recordId !== r.record_id) {
        flush();
        if (items.length === limit) break outer;
      }
      const values = JSON.parse(r.values_json) as Record<string, unknown>;
      if (where.every(([k, v]) => (values[k] ?? null) === v)) current = { recordId: r.record_id, eventTime: isoOf(Number(r.event_time)), writtenAt: r.written_at ?? '', schemaVersion: r.schema_version ?? 0, values };
    }
  }
  const more = items.length === limit;
  if (!more) flush();
  return { items, nextCursor: more ? items[items.length - 1]!.recordId : null };
}
