/**
 * The search parameters the store indexes (the ones CRD prefetch and payer rules need, per type) and the
 * two halves of search: turning a resource into index rows on write, and turning a query string into
 * parsed filters on read. Paths are plain dotted element paths (arrays are flattened; choice types are
 * spelled out, e.g. `onsetDateTime`), so indexing is a cheap walk, not FHIRPath evaluation.
 */
import type { Resource } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';

export type ParamKind = 'token' | 'reference' | 'string' | 'date' | 'uri';

export interface ParamDef {
  kind: ParamKind;
  paths: string[];
  /** Reference params: the resource types it may point to (others are not indexed under it). */
  targets?: string[];
}

const tok = (...paths: string[]): ParamDef => ({ kind: 'token', paths });
const str = (...paths: string[]): ParamDef => ({ kind: 'string', paths });
const date = (...paths: string[]): ParamDef => ({ kind: 'date', paths });
const uri = (...paths: string[]): ParamDef => ({ kind: 'uri', paths });
const ref = (paths: string | string[], targets?: string[]): ParamDef => ({ kind: 'reference', paths: Array.isArray(paths) ? paths : [paths], ...(targets ? { targets } : {}) });

const PATIENT = ['Patient'];

/** Subject-style params shared by clinical resources. */
const subjectParams = (path = 'subject'): Record<string, ParamDef> => ({ patient: ref(path, PATIENT), subject: ref(path) });

export const SEARCH_PARAMS: Record<string, Record<string, ParamDef>> = {
  Patient: {
    identifier: tok('identifier'),
    name: str('name'),
    family: str('name.family'),
    given: str('name.given'),
    birthdate: date('birthDate'),
    gender: tok('gender'),
    active: tok('active'),
    'general-practitioner': ref('generalPractitioner'),
    organization: ref('managingOrganization'),
    'address-postalcode': str('address.postalCode'),
  },
  Coverage: {
    identifier: tok('identifier'),
    patient: ref('beneficiary', PATIENT),
    beneficiary: ref('beneficiary'),
    subscriber: ref('subscriber'),
    policyholder: ref('policyHolder'),
    payor: ref('payor'),
    status: tok('status'),
    type: tok('type'),
    'class-value': str('class.value'),
    'class-type': tok('class.type'),
  },
  Condition: {
    ...subjectParams(),
    identifier: tok('identifier'),
    code: tok('code'),
    'clinical-status': tok('clinicalStatus'),
    'verification-status': tok('verificationStatus'),
    category: tok('category'),
    encounter: ref('encounter'),
    'onset-date': date('onsetDateTime', 'onsetPeriod'),
    'recorded-date': date('recordedDate'),
  },
  MedicationRequest: {
    ...subjectParams(),
    identifier: tok('identifier'),
    code: tok('medicationCodeableConcept'),
    medication: ref('medicationReference'),
    status: tok('status'),
    intent: tok('intent'),
    category: tok('category'),
    authoredon: date('authoredOn'),
    requester: ref('requester'),
    encounter: ref('encounter'),
  },
  ServiceRequest: {
    ...subjectParams(),
    identifier: tok('identifier'),
    code: tok('code'),
    status: tok('status'),
    intent: tok('intent'),
    category: tok('category'),
    authored: date('authoredOn'),
    requester: ref('requester'),
    performer: ref('performer'),
    encounter: ref('encounter'),
  },
  DeviceRequest: {
    ...subjectParams(),
    identifier: tok('identifier'),
    code: tok('codeCodeableConcept'),
    device: ref('codeReference'),
    status: tok('status'),
    intent: tok('intent'),
    'authored-on': date('authoredOn'),
    requester: ref('requester'),
    performer: ref('performer'),
    encounter: ref('encounter'),
  },
  Encounter: {
    ...subjectParams(),
    identifier: tok('identifier'),
    status: tok('status'),
    class: tok('class'),
    type: tok('type'),
    date: date('period'),
    participant: ref('participant.individual'),
    practitioner: ref('participant.individual', ['Practitioner']),
    'service-provider': ref('serviceProvider'),
    location: ref('location.location'),
  },
  Practitioner: { identifier: tok('identifier'), name: str('name'), family: str('name.family'), given: str('name.given'), active: tok('active') },
  PractitionerRole: {
    identifier: tok('identifier'),
    practitioner: ref('practitioner'),
    organization: ref('organization'),
    location: ref('location'),
    role: tok('code'),
    specialty: tok('specialty'),
    active: tok('active'),
  },
  Organization: { identifier: tok('identifier'), name: str('name', 'alias'), type: tok('type'), active: tok('active'), partof: ref('partOf') },
  Location: { identifier: tok('identifier'), name: str('name', 'alias'), organization: ref('managingOrganization'), type: tok('type'), status: tok('status') },
  Claim: {
    patient: ref('patient', PATIENT),
    identifier: tok('identifier'),
    status: tok('status'),
    use: tok('use'),
    created: date('created'),
    provider: ref('provider'),
    insurer: ref('insurer'),
    encounter: ref('item.encounter'),
    enterer: ref('enterer'),
  },
  ClaimResponse: {
    patient: ref('patient', PATIENT),
    identifier: tok('identifier'),
    status: tok('status'),
    outcome: tok('outcome'),
    use: tok('use'),
    created: date('created'),
    insurer: ref('insurer'),
    requestor: ref('requestor'),
    request: ref('request'),
  },
  ExplanationOfBenefit: { patient: ref('patient', PATIENT), identifier: tok('identifier'), status: tok('status'), claim: ref('claim'), created: date('created'), provider: ref('provider') },
  Procedure: {
    ...subjectParams(),
    identifier: tok('identifier'),
    code: tok('code'),
    status: tok('status'),
    category: tok('category'),
    date: date('performedDateTime', 'performedPeriod'),
    encounter: ref('encounter'),
    performer: ref('performer.actor'),
  },
  Observation: {
    ...subjectParams(),
    identifier: tok('identifier'),
    code: tok('code'),
    category: tok('category'),
    status: tok('status'),
    date: date('effectiveDateTime', 'effectivePeriod', 'effectiveInstant'),
    encounter: ref('encounter'),
    performer: ref('performer'),
    'value-concept': tok('valueCodeableConcept'),
  },
  Medication: { identifier: tok('identifier'), code: tok('code'), status: tok('status'), form: tok('form') },
  Device: { identifier: tok('identifier'), patient: ref('patient', PATIENT), type: tok('type'), status: tok('status'), organization: ref('owner') },
  AllergyIntolerance: { patient: ref('patient', PATIENT), code: tok('code'), 'clinical-status': tok('clinicalStatus'), criticality: tok('criticality'), date: date('recordedDate') },
  Immunization: { patient: ref('patient', PATIENT), 'vaccine-code': tok('vaccineCode'), status: tok('status'), date: date('occurrenceDateTime') },
  DiagnosticReport: { ...subjectParams(), code: tok('code'), category: tok('category'), status: tok('status'), date: date('effectiveDateTime', 'effectivePeriod'), encounter: ref('encounter') },
  CarePlan: { ...subjectParams(), status: tok('status'), category: tok('category'), intent: tok('intent'), date: date('period'), encounter: ref('encounter') },
  Goal: { ...subjectParams(), 'lifecycle-status': tok('lifecycleStatus') },
  ImagingStudy: { ...subjectParams(), status: tok('status'), started: date('started') },
  MedicationStatement: { ...subjectParams(), code: tok('medicationCodeableConcept'), medication: ref('medicationReference'), status: tok('status') },
  CoverageEligibilityRequest: { patient: ref('patient', PATIENT), status: tok('status'), created: date('created') },
  CoverageEligibilityResponse: { patient: ref('patient', PATIENT), status: tok('status'), outcome: tok('outcome'), created: date('created'), request: ref('request') },
  DocumentReference: { ...subjectParams(), type: tok('type'), status: tok('status'), category: tok('category'), date: date('date') },
  Task: { patient: ref('for', PATIENT), subject: ref('for'), status: tok('status'), intent: tok('intent'), code: tok('code'), focus: ref('focus'), owner: ref('owner') },
  Questionnaire: { url: uri('url'), name: str('name'), status: tok('status'), identifier: tok('identifier'), code: tok('code') },
  QuestionnaireResponse: { ...subjectParams(), questionnaire: uri('questionnaire'), status: tok('status'), authored: date('authored') },
  Appointment: { patient: ref('participant.actor', PATIENT), status: tok('status'), date: date('start') },
  NutritionOrder: { patient: ref('patient', PATIENT), status: tok('status'), intent: tok('intent') },
  VisionPrescription: { patient: ref('patient', PATIENT), status: tok('status') },
  Library: { url: uri('url'), name: str('name'), status: tok('status'), version: tok('version') },
  PlanDefinition: { url: uri('url'), name: str('name'), status: tok('status') },
};

/** Search parameters of a type (empty for types we store but do not index). */
export function paramsOf(type: string): Record<string, ParamDef> {
  return SEARCH_PARAMS[type] ?? {};
}

// ---------------------------------------------------------------------------------------------------
// Indexing

export interface IndexRow {
  param: string;
  system: string | null;
  code: string | null;
  value: string | null;
}

function valuesAt(node: unknown, path: string[]): unknown[] {
  if (node === undefined || node === null) return [];
  if (Array.isArray(node)) return node.flatMap((n) => valuesAt(n, path));
  if (path.length === 0) return [node];
  if (typeof node !== 'object') return [];
  const [head, ...rest] = path;
  return valuesAt((node as Record<string, unknown>)[head!], rest);
}

/** Lowercase without accents: what string search compares (FHIR: case- and accent-insensitive). */
export function normalizeString(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

export const MIN_INSTANT = '0001-01-01T00:00:00.000Z';
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The UTC instants a FHIR date/dateTime/instant covers: `2020` → the whole year, `2020-03-04` → that
 * day, `2020-03-04T10:00:00+02:00` → that second. Dates without a time zone are read as UTC.
 */
export function dateRange(s: string): { lo: string; hi: string } | null {
  const m = DATE_RE.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, tz] = m;
  const year = Number(y);
  if (!fieldsInRange(year, mo, d, h, mi, sec, tz)) return null;
  if (h === undefined) {
    const month = mo ? Number(mo) - 1 : 0;
    const day = d ? Number(d) : 1;
    const lo = Date.UTC(year, month, day);
    const hiExclusive = d ? Date.UTC(year, month, day + 1) : mo ? Date.UTC(year, month + 1, 1) : Date.UTC(year + 1, 0, 1);
    if (Number.isNaN(lo)) return null;
    return { lo: iso(lo, year), hi: iso(hiExclusive - 1, year) };
  }
  let offsetMs = 0;
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    offsetMs = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
  }
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const base = Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), sec ? Number(sec) : 0, ms) - offsetMs;
  if (Number.isNaN(base)) return null;
  const span = frac ? 0 : sec ? 999 : 59_999;
  return { lo: iso(base, year), hi: iso(base + span, year) };
}

/**
 * FHIR's own ranges (Date.UTC would roll 2020-13-45 over into 2021-02-14): month 01–12, a day the month has,
 * hour 00–23, minute 00–59, second 00–60 (leap second), zone offset up to ±14:00.
 */
function fieldsInRange(year: number, mo?: string, d?: string, h?: string, mi?: string, sec?: string, tz?: string): boolean {
  const month = mo === undefined ? 1 : Number(mo);
  if (month < 1 || month > 12) return false;
  if (d !== undefined) {
    const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
    if (Number(d) < 1 || Number(d) > days) return false;
  }
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (sec !== undefined && Number(sec) > 60))) return false;
  if (tz && tz !== 'Z' && (Number(tz.slice(4, 6)) > 59 || Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)) > 14 * 60)) return false;
  return true;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function iso(ms: number, year: number): string {
  // Date#toISOString writes years outside 0..9999 with a sign; clamp so strings keep sorting by time.
  if (year < 1) return MIN_INSTANT;
  if (year > 9998) return MAX_INSTANT;
  return new Date(ms).toISOString();
}

/** "Patient/123", ".../fhir/R4/Patient/123/_history/2" → {type, id}; contained (#x) and urn refs → null. */
export function parseReference(reference: string): { type: string; id: string } | null {
  if (reference.startsWith('#') || reference.startsWith('urn:')) return null;
  const path = reference.split('?')[0]!.replace(/\/_history\/[^/]+$/, '');
  const parts = path.split('/');
  const id = parts.pop();
  const type = parts.pop();
  if (!type || !id || !/^[A-Z][A-Za-z]+$/.test(type) || !/^[A-Za-z0-9\-.]{1,64}$/.test(id)) return null;
  return { type, id };
}

function tokenRows(param: string, v: unknown, out: IndexRow[]): void {
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') {
    out.push({ param, system: null, code: String(v), value: null });
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.coding)) {
    for (const c of o.coding as Array<Record<string, unknown>>) {
      if (typeof c?.code === 'string') out.push({ param, system: typeof c.system === 'string' ? c.system : null, code: c.code, value: typeof c.display === 'string' ? c.display : null });
    }
    return;
  }
  if (typeof o.code === 'string') {
    out.push({ param, system: typeof o.system === 'string' ? o.system : null, code: o.code, value: typeof o.display === 'string' ? o.display : null });
  } else if (typeof o.value === 'string') {
    // Identifier / ContactPoint
    out.push({ param, system: typeof o.system === 'string' ? o.system : null, code: o.value, value: null });
  }
}

function stringRows(param: string, v: unknown, out: IndexRow[]): void {
  const add = (s: unknown) => {
    if (typeof s === 'string' && s.trim()) out.push({ param, system: null, code: normalizeString(s), value: s });
  };
  if (typeof v === 'string') return add(v);
  if (typeof v !== 'object' || v === null) return;
  const o = v as Record<string, unknown>;
  for (const key of ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'district', 'state', 'postalCode', 'country']) {
    const x = o[key];
    if (Array.isArray(x)) x.forEach(add);
    else add(x);
  }
}

function dateRows(param: string, v: unknown, out: IndexRow[]): void {
  if (typeof v === 'string') {
    const r = dateRange(v);
    if (r) out.push({ param, system: null, code: r.lo, value: r.hi });
    return;
  }
  if (typeof v === 'object' && v !== null) {
    const p = v as { start?: unknown; end?: unknown };
    const lo = typeof p.start === 'string' ? dateRange(p.start)?.lo : undefined;
    const hi = typeof p.end === 'string' ? dateRange(p.end)?.hi : undefined;
    if (lo || hi) out.push({ param, system: null, code: lo ?? MIN_INSTANT, value: hi ?? MAX_INSTANT });
  }
}

/** Index rows of a resource for every search parameter of its type. */
export function indexRows(resource: Resource): IndexRow[] {
  const out: IndexRow[] = [];
  const defs = paramsOf(resource.resourceType);
  for (const [param, def] of Object.entries(defs)) {
    for (const path of def.paths) {
      for (const v of valuesAt(resource, path.split('.'))) {
        switch (def.kind) {
          case 'token':
            tokenRows(param, v, out);
            break;
          case 'string':
            stringRows(param, v, out);
            break;
          case 'date':
            dateRows(param, v, out);
            break;
          case 'uri':
            if (typeof v === 'string') out.push({ param, system: null, code: v, value: null });
            break;
          case 'reference': {
            const r = typeof v === 'object' && v !== null && typeof (v as { reference?: unknown }).reference === 'string' ? parseReference((v as { reference: string }).reference) : null;
            if (r && (!def.targets || def.targets.includes(r.type))) out.push({ param, system: r.type, code: r.id, value: null });
            break;
          }
        }
      }
    }
  }
  return out;
}

const COMPARTMENT_FALLBACK = ['subject', 'patient', 'beneficiary', 'for'];

/** The Patient compartment a resource belongs to: its own id for a Patient, else the patient it is about. */
export function patientOf(resource: Resource, rows: IndexRow[]): string | null {
  if (resource.resourceType === 'Patient') return resource.id ?? null;
  const row = rows.find((r) => r.param === 'patient' && r.system === 'Patient');
  if (row?.code) return row.code;
  const o = resource as unknown as Record<string, unknown>;
  for (const key of COMPARTMENT_FALLBACK) {
    const v = o[key];
    const refStr = typeof v === 'object' && v !== null ? (v as { reference?: unknown }).reference : undefined;
    if (typeof refStr === 'string') {
      const r = parseReference(refStr);
      if (r?.type === 'Patient') return r.id;
    }
  }
  return null;
}

/** Every literal reference in a resource (any depth), e.g. for _include=* and patientBundle. */
export function referencesIn(node: unknown, out: Array<{ type: string; id: string }> = []): Array<{ type: string; id: string }> {
  if (Array.isArray(node)) {
    for (const n of node) referencesIn(n, out);
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') {
        const r = parseReference(v);
        if (r) out.push(r);
      } else if (typeof v === 'object' && v !== null && k !== 'contained') {
        referencesIn(v, out);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Query parsing

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

export type FilterValue =
  | { kind: 'token'; system?: string | null; code?: string }
  | { kind: 'reference'; type?: string; id: string }
  | { kind: 'string'; text: string }
  | { kind: 'date'; prefix: DatePrefix; lo: string; hi: string }
  | { kind: 'uri'; uri: string };

export interface Filter {
  /** A search parameter, or `_id` / `_lastUpdated` (columns of the resource table). */
  param: string;
  modifier?: 'not' | 'exact' | 'contains' | 'missing';
  /** With modifier "missing": true = has no value for the param. */
  missing?: boolean;
  /** OR-ed values (comma-separated in the URL). */
  values: FilterValue[];
}

export interface IncludeSpec {
  source: string;
  param: string | '*';
  target?: string;
}

export interface ParsedSearch {
  filters: Filter[];
  count: number;
  offset: number;
  sort: Array<{ column: 'id' | 'last_updated'; desc: boolean }>;
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  summaryCount: boolean;
  /** Whether to compute Bundle.total (`_total=none` skips the COUNT query). */
  total: boolean;
}

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

/** Result-shaping params we accept and ignore (the response is always JSON, full resources). */
const IGNORED = new Set(['_format', '_pretty', '_elements', '_contained', '_containedType']);

function invalid(message: string, field: string, fix: string): AppError {
  return new AppError('FHIR_SEARCH_INVALID', message, { problems: [{ field, problem: message, fix }] });
}

/** Splits on commas not escaped with a backslash (FHIR search escaping), unescaping `\,` `\|` `\$` `\\`. */
function splitValues(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      cur += raw[++i]!;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.filter((v) => v !== '');
}

function splitToken(raw: string): { system?: string | null; code?: string } {
  const bar = raw.indexOf('|');
  if (bar < 0) return { code: raw };
  const system = raw.slice(0, bar);
  const code = raw.slice(bar + 1);
  return { system: system === '' ? null : system, ...(code ? { code } : {}) };
}

function parseDateValue(param: string, raw: string): FilterValue {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/.exec(raw)!;
  const r = dateRange(m[2]!);
  if (!r) throw invalid(`${param}: "${raw}" is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[Z|±hh:mm], optional prefix eq/ne/gt/lt/ge/le/sa/eb/ap)`, param, 'Write the date like ge2020-01-01.');
  return { kind: 'date', prefix: (m[1] as DatePrefix | undefined) ?? 'eq', lo: r.lo, hi: r.hi };
}

function parseInclude(raw: string, name: string, searchedType: string): IncludeSpec {
  if (raw === '*') return { source: searchedType, param: '*' };
  const [source, param, target] = raw.split(':');
  if (!source || !param) throw invalid(`${name}=${raw}: write ${name}=SourceType:param[:TargetType]`, name, `e.g. ${name}=Coverage:payor`);
  const src = source === '*' ? searchedType : source;
  if (param !== '*') {
    const def = paramsOf(src)[param];
    if (!def || def.kind !== 'reference') {
      const refs = Object.entries(paramsOf(src)).filter(([, d]) => d.kind === 'reference').map(([p]) => p);
      throw invalid(`${name}=${raw}: ${src} has no reference search parameter "${param}"`, name, refs.length ? `Use one of ${refs.map((p) => `${src}:${p}`).join(', ')}.` : `${src} has no reference parameters indexed.`);
    }
  }
  return { source: src, param, ...(target ? { target } : {}) };
}

/**
 * Parses a FHIR search query for `type`. Unknown parameters are an error (never silently ignored: a
 * dropped filter would hand the rules another patient's data or the wrong orders).
 */
export function parseSearch(type: string, params: Record<string, string | string[] | undefined>): ParsedSearch {
  const defs = paramsOf(type);
  const parsed: ParsedSearch = { filters: [], count: DEFAULT_COUNT, offset: 0, sort: [], include: [], revinclude: [], summaryCount: false, total: true };
  for (const [key, rawValue] of Object.entries(params)) {
    if (rawValue === undefined) continue;
    const rawValues = Array.isArray(rawValue) ? rawValue : [rawValue];
    const [name, modifier] = key.split(':') as [string, string | undefined];
    for (const raw of rawValues) {
      if (IGNORED.has(name)) continue;
      switch (name) {
        case '_count': {
          const n = Number(raw);
          if (!Number.isInteger(n) || n < 0) throw invalid(`_count must be a whole number ≥ 0, got "${raw}"`, '_count', `Use _count=1..${MAX_COUNT}.`);
          parsed.count = Math.min(n, MAX_COUNT);
          continue;
        }
        case '_offset': {
          const n = Number(raw);
          if (!Number.isInteger(n) || n < 0) throw invalid(`_offset must be a whole number ≥ 0, got "${raw}"`, '_offset', 'Follow the Bundle.link "next" URL instead of building offsets.');
          parsed.offset = n;
          continue;
        }
        case '_sort':
          for (const s of raw.split(',')) {
            const desc = s.startsWith('-');
            const field = desc ? s.slice(1) : s;
            if (field !== '_id' && field !== '_lastUpdated') throw invalid(`_sort=${s} is not supported`, '_sort', 'Sort by _lastUpdated, -_lastUpdated, _id or -_id.');
            parsed.sort.push({ column: field === '_id' ? 'id' : 'last_updated', desc });
          }
          continue;
        case '_total':
          parsed.total = raw !== 'none';
          continue;
        case '_summary':
          if (raw === 'count') parsed.summaryCount = true;
          else if (raw !== 'false') throw invalid(`_summary=${raw} is not supported`, '_summary', 'Use _summary=count or leave it out.');
          continue;
        case '_include':
          parsed.include.push(parseInclude(raw, '_include', type));
          continue;
        case '_revinclude':
          parsed.revinclude.push(parseInclude(raw, '_revinclude', type));
          continue;
      }
      if (name.includes('.')) throw invalid(`Chained search "${key}" is not supported`, key, 'Search the referenced type first, then search by its id (e.g. patient=123).');
      if (modifier && !['not', 'exact', 'contains', 'missing'].includes(modifier)) {
        throw invalid(`Modifier ":${modifier}" in "${key}" is not supported`, key, 'Supported modifiers: :missing, :not (token), :exact and :contains (string).');
      }
      if (modifier === 'missing') {
        if (raw !== 'true' && raw !== 'false') throw invalid(`${key} must be true or false`, key, `Use ${key}=true or ${key}=false.`);
        if (name !== '_id' && name !== '_lastUpdated' && !defs[name]) throw unknownParam(type, name, defs);
        parsed.filters.push({ param: name, modifier: 'missing', missing: raw === 'true', values: [] });
        continue;
      }
      if (name === '_id') {
        parsed.filters.push({ param: '_id', ...(modifier === 'not' ? { modifier: 'not' as const } : {}), values: splitValues(raw).map((code) => ({ kind: 'token', code })) });
        continue;
      }
      if (name === '_lastUpdated') {
        parsed.filters.push({ param: '_lastUpdated', values: splitValues(raw).map((v) => parseDateValue(name, v)) });
        continue;
      }
      const def = defs[name];
      if (!def) throw unknownParam(type, name, defs);
      if ((modifier === 'exact' || modifier === 'contains') && def.kind !== 'string') throw invalid(`:${modifier} applies to string parameters; ${type}.${name} is a ${def.kind}`, key, `Drop :${modifier}.`);
      if (modifier === 'not' && def.kind !== 'token') throw invalid(`:not applies to token parameters; ${type}.${name} is a ${def.kind}`, key, 'Drop :not.');
      const values: FilterValue[] = splitValues(raw).map((v): FilterValue => {
        switch (def.kind) {
          case 'token':
            return { kind: 'token', ...splitToken(v) };
          case 'string':
            return { kind: 'string', text: v };
          case 'uri':
            return { kind: 'uri', uri: v };
          case 'date':
            return parseDateValue(name, v);
          case 'reference': {
            const r = parseReference(v);
            if (r) return { kind: 'reference', type: r.type, id: r.id };
            if (/^[A-Za-z0-9\-.]{1,64}$/.test(v)) return { kind: 'reference', id: v };
            throw invalid(`${name}=${v} is not a reference (Type/id or id)`, name, `e.g. ${name}=Patient/123 or ${name}=123`);
          }
        }
      });
      if (values.length === 0) continue;
      parsed.filters.push({ param: name, ...(modifier ? { modifier: modifier as Filter['modifier'] } : {}), values });
    }
  }
  return parsed;
}

function unknownParam(type: string, name: string, defs: Record<string, ParamDef>): AppError {
  const known = ['_id', '_lastUpdated', ...Object.keys(defs)];
  return invalid(`${type} has no search parameter "${name}" in this store`, name, `Use one of: ${known.join(', ')} (plus _count, _offset, _sort, _include, _revinclude, _total, _summary=count).`);
}
