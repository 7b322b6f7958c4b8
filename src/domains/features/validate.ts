/**
 * Checks for feature group definitions, records and timestamps. Every check collects problems (row, field, fix)
 * instead of stopping at the first, so a batch is answered with all its bad rows and nothing is stored.
 */
import { AppError, type Problem } from '../../core/errors.ts';
import { FEATURE_TYPES, type CreateGroupInput, type FeatureDef, type FeatureDefInput, type FeatureGroup, type FeatureType } from './schema.ts';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const GROUP_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Problems listed in a message; `problems` carries them all (up to MAX_PROBLEMS). */
const MAX_PROBLEMS = 1000;
/** Record ids are part of the offline key (PostgreSQL's index rows are limited to ~2.7 kB). */
export const MAX_ID_CHARS = 1000;
const TIME_FIX = 'Use ISO-8601 (e.g. 2024-05-01T12:00:00Z; no offset means UTC) or epoch milliseconds.';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of an ISO-8601 text or an integer (or all-digit text) of epoch ms; undefined when neither. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^-?\d{1,16}$/.test(s)) return Number(s);
  const m = ISO_RE.exec(s);
  if (!m) return undefined;
  // No offset = UTC (Date.parse would read a date-time without one as local time).
  const ms = Date.parse(m[7] || !m[4] ? s.replace(' ', 'T') : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const isoOf = (ms: number): string => new Date(ms).toISOString();

function fail(code: 'FEATURE_GROUP_INVALID' | 'FEATURE_RECORD_INVALID' | 'FEATURE_ENTITIES_INVALID', what: string, problems: Problem[], total = problems.length): never {
  const listed = problems.slice(0, 5).map((p) => `${p.row !== undefined ? `row ${p.row}: ` : ''}${p.field ? `"${p.field}" ` : ''}${p.problem}`).join('; ');
  throw new AppError(code, `${what}: ${total} problem${total === 1 ? '' : 's'} (${listed}${total > 5 ? '; …' : ''}).${code === 'FEATURE_ENTITIES_INVALID' ? '' : ' Nothing was stored.'}`, { problems: problems.slice(0, MAX_PROBLEMS) });
}

function checkFeatures(features: FeatureDefInput[], problems: Problem[]): FeatureDef[] {
  const seen = new Set<string>();
  return features.map((f, i) => {
    const field = `features.${i}`;
    if (!NAME_RE.test(f.name)) problems.push({ field: `${field}.name`, problem: `"${f.name}" is not a valid feature name`, fix: 'Start with a letter or _, then letters, digits, _ . - (at most 64).' });
    if (seen.has(f.name)) problems.push({ field: `${field}.name`, problem: `"${f.name}" is defined twice`, fix: 'Give each feature one definition.' });
    seen.add(f.name);
    if (!(FEATURE_TYPES as readonly string[]).includes(f.type)) problems.push({ field: `${field}.type`, problem: `unknown type "${f.type}"`, fix: `Use one of ${FEATURE_TYPES.join(', ')}.` });
    return { name: f.name, type: f.type as FeatureType, ...(f.description ? { description: f.description } : {}) };
  });
}

/** A new group's definition, or FEATURE_GROUP_INVALID naming every bad field. */
export function checkGroup(input: CreateGroupInput): FeatureDef[] {
  const problems: Problem[] = [];
  if (!GROUP_RE.test(input.name)) problems.push({ field: 'name', problem: `"${input.name}" is not a valid group name`, fix: 'Use letters, digits, _ . - (at most 100), starting with a letter or digit.' });
  const features = checkFeatures(input.features, problems);
  const byName = new Map(features.map((f) => [f.name, f]));
  const id = byName.get(input.recordIdentifierFeature);
  if (!id || (id.type !== 'string' && id.type !== 'integer')) problems.push({ field: 'recordIdentifierFeature', problem: id ? `"${id.name}" is a ${id.type} feature` : `"${input.recordIdentifierFeature}" is not one of the features`, fix: 'Name a string or integer feature of the group.' });
  const time = byName.get(input.eventTimeFeature);
  if (!time || !['string', 'integer', 'double'].includes(time.type)) problems.push({ field: 'eventTimeFeature', problem: time ? `"${time.name}" is a ${time.type} feature` : `"${input.eventTimeFeature}" is not one of the features`, fix: 'Name a string (ISO-8601) or integer (epoch ms) feature of the group.' });
  if (input.recordIdentifierFeature === input.eventTimeFeature) problems.push({ field: 'eventTimeFeature', problem: 'the same feature as the record identifier', fix: 'Use two different features.' });
  if (problems.length) fail('FEATURE_GROUP_INVALID', `Feature group "${input.name}" is invalid`, problems);
  return features;
}

/** The next schema: the current features plus the new ones; removing or retyping a feature is refused. */
export function checkSchemaChange(group: FeatureGroup, next: FeatureDefInput[]): FeatureDef[] {
  const problems: Problem[] = [];
  const defs = checkFeatures(next, problems);
  const given = new Map(defs.map((f) => [f.name, f]));
  for (const f of group.features) {
    const g = given.get(f.name);
    if (g && g.type !== f.type) problems.push({ field: `features.${defs.indexOf(g)}.type`, problem: `"${f.name}" is ${f.type} in schema version ${group.schemaVersion}`, fix: 'Keep the type (a schema change may only add features), or create a new group.' });
  }
  const added = defs.filter((f) => !group.features.some((e) => e.name === f.name));
  if (!problems.length && !added.length) problems.push({ field: 'features', problem: 'adds no feature', fix: 'List at least one feature the group does not have.' });
  if (problems.length) fail('FEATURE_GROUP_INVALID', `Schema change of "${group.name}" is invalid`, problems);
  return [...group.features, ...added];
}

function typeProblem(type: FeatureType, v: unknown): string | undefined {
  switch (type) {
    case 'string': return typeof v === 'string' ? undefined : 'is not a string';
    case 'integer': return Number.isSafeInteger(v) ? undefined : 'is not an integer';
    case 'double': return typeof v === 'number' && Number.isFinite(v) ? undefined : 'is not a finite number';
    case 'boolean': return typeof v === 'boolean' ? undefined : 'is not true or false';
    case 'json': return undefined;
  }
}

/** A record ready to store. */
export interface CheckedRecord {
  recordId: string;
  eventTime: number;
  values: Record<string, unknown>;
}

/**
 * Every record of a batch against the group's schema: the record id and event time present and valid, each value of
 * its feature's type (null = no value), no unknown feature. FEATURE_RECORD_INVALID naming each bad row and field
 * (`rows[i]`: record i's line in the user's file; default its 1-based index).
 */
export function checkRecords(group: FeatureGroup, records: unknown[], rows?: number[]): CheckedRecord[] {
  const problems: Problem[] = [];
  let total = 0;
  const add = (p: Problem) => {
    total++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const types = new Map(group.features.map((f) => [f.name, f.type]));
  const idName = group.recordIdentifierFeature, timeName = group.eventTimeFeature;
  const out: CheckedRecord[] = [];
  records.forEach((rec, i) => {
    const row = rows?.[i] ?? i + 1;
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return add({ row, problem: 'is not an object of feature values', fix: 'Send each record as {"feature": value, …}.' });
    const values = rec as Record<string, unknown>;
    const before = total;
    const id = values[idName];
    if (id === undefined || id === null || id === '') add({ row, field: idName, problem: 'the record identifier is missing', fix: `Add "${idName}" to every record.` });
    else if (String(id).length > MAX_ID_CHARS) add({ row, field: idName, problem: `the record identifier is longer than ${MAX_ID_CHARS} characters`, fix: 'Use a shorter id (e.g. a hash of the long one).' });
    const time = values[timeName];
    if (time === undefined || time === null || time === '') add({ row, field: timeName, problem: 'the event time is missing', fix: `Add "${timeName}" to every record. ${TIME_FIX}` });
    for (const [k, v] of Object.entries(values)) {
      const type = types.get(k);
      if (!type) add({ row, field: k, problem: 'is not a feature of the group', fix: `Remove it, or add it to the schema first (PUT /api/v1/feature-groups/${group.name}/schema).` });
      else if (v !== null && k !== timeName) {
        const bad = typeProblem(type, v);
        if (bad) add({ row, field: k, problem: `${JSON.stringify(v)?.slice(0, 60)} ${bad}`, fix: `Send a ${type} value (or null for none).` });
      }
    }
    const eventTime = time === undefined || time === null || time === '' ? undefined : parseTime(time);
    if (time !== undefined && time !== null && time !== '' && eventTime === undefined) add({ row, field: timeName, problem: `${JSON.stringify(time).slice(0, 60)} is not a timestamp`, fix: TIME_FIX });
    if (total === before) out.push({ recordId: String(id), eventTime: eventTime as number, values });
  });
  if (total) fail('FEATURE_RECORD_INVALID', `Records for feature group "${group.name}" are invalid`, problems, total);
  return out;
}

/** Entity rows ({recordId, timestamp}, or the group's own id / time feature names) → ids and epoch-ms times. */
export function checkEntities(group: FeatureGroup, rows: Record<string, unknown>[], lines?: number[]): { ids: string[]; times: Float64Array } {
  const problems: Problem[] = [];
  const ids: string[] = new Array(rows.length);
  const times = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const id = r.recordId ?? r.record_id ?? r[group.recordIdentifierFeature];
    const ts = r.timestamp ?? r[group.eventTimeFeature];
    if (id === undefined || id === null || id === '') problems.push({ row: lines?.[i] ?? i + 1, field: 'recordId', problem: 'is missing', fix: 'Give every entity row a record id.' });
    else ids[i] = String(id);
    const t = parseTime(ts);
    if (t === undefined) problems.push({ row: lines?.[i] ?? i + 1, field: 'timestamp', problem: ts === undefined || ts === '' ? 'is missing' : `${JSON.stringify(ts).slice(0, 60)} is not a timestamp`, fix: TIME_FIX });
    else times[i] = t;
  });
  if (problems.length) fail('FEATURE_ENTITIES_INVALID', 'The entity list is invalid', problems);
  return { ids, times };
}
