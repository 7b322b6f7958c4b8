/**
 * The resources a client already sent, whatever it called them. CDS clients name their prefetch keys their
 * own way (the Da Vinci reference client sends `medicationRequestBundle`, a searchset with the order and
 * `_include`d Patient, Coverage and practitioners), so a template's query is also answered from every
 * resource the request carries (all prefetch values and the context's resources), by type and reference.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';

export type ResourcePool = Map<string, Resource>;

/** Every resource in a value: the resource itself, or a Bundle's entries (matches and includes). */
function flatten(value: unknown, out: Resource[]): void {
  if (!value || typeof value !== 'object') return;
  const r = value as Resource;
  if (typeof r.resourceType !== 'string' || r.resourceType === 'OperationOutcome') return;
  if (r.resourceType === 'Bundle') for (const e of (r as Bundle).entry ?? []) flatten(e.resource, out);
  else out.push(r);
}

/** Indexes resources by `Type/id` (resources without an id cannot be referenced and are left out). */
export function buildPool(values: Iterable<unknown>, into: ResourcePool = new Map()): ResourcePool {
  for (const v of values) {
    const list: Resource[] = [];
    flatten(v, list);
    for (const r of list) if (r.id && !into.has(`${r.resourceType}/${r.id}`)) into.set(`${r.resourceType}/${r.id}`, r);
  }
  return into;
}

/** The resources in a hook context: draft orders, appointments, fulfillment tasks. */
export function contextResources(context: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const v of Object.values(context)) {
    if (Array.isArray(v)) out.push(...v.filter((x) => typeof x === 'object'));
    else if (v && typeof v === 'object') out.push(v);
  }
  return out;
}

/** `Type/id` of a reference (relative or absolute URL), or null. */
export function refKey(reference: unknown): string | null {
  if (typeof reference !== 'string') return null;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return m ? `${m[1]}/${m[2]}` : null;
}

/** Search parameters that name the patient, and the elements that hold that reference. */
const PATIENT_PARAMS = new Set(['patient', 'subject', 'beneficiary']);
const PATIENT_ELEMENTS = ['patient', 'subject', 'beneficiary'] as const;
/** Result-shaping parameters that do not filter. */
const IGNORED = new Set(['_count', '_sort', '_include', '_revinclude', '_elements', '_summary', '_total']);

function values(v: string | string[]): string[] {
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(','));
}

function matches(r: Resource, params: Record<string, string | string[]>): boolean {
  const rec = r as unknown as Record<string, unknown>;
  for (const [name, raw] of Object.entries(params)) {
    const key = name.split(':')[0]!;
    if (IGNORED.has(key) || key.startsWith('_include')) continue;
    const wanted = values(raw);
    if (key === '_id') {
      if (!wanted.includes(r.id ?? '')) return false;
    } else if (PATIENT_PARAMS.has(key)) {
      const refs = PATIENT_ELEMENTS.map((e) => refKey((rec[e] as { reference?: string } | undefined)?.reference)).filter((x): x is string => !!x);
      if (!wanted.some((w) => refs.includes(w.includes('/') ? (refKey(w) ?? w) : `Patient/${w}`))) return false;
    } else if (key === 'status') {
      if (!wanted.includes(String(rec.status))) return false;
    } else return false; // a filter this matcher cannot evaluate: not answered from the pool
  }
  return true;
}

/** Whether every parameter of a search can be evaluated here. */
function supported(params: Record<string, string | string[]>): boolean {
  return Object.keys(params).every((n) => {
    const k = n.split(':')[0]!;
    return IGNORED.has(k) || k.startsWith('_include') || k === '_id' || k === 'status' || PATIENT_PARAMS.has(k);
  });
}

export type ParsedQuery = { kind: 'read'; type: string; id: string } | { kind: 'search'; type: string; params: Record<string, string | string[]> };

/** `Type/id` (read) or `Type?a=b&a=c` (search); null for anything else (history, operations, absolute URLs). */
export function parseQuery(url: string): ParsedQuery | null {
  const [path = '', query] = url.replace(/^\/+/, '').split('?', 2) as [string, string | undefined];
  const parts = path.split('/').filter((p) => p !== '');
  if (!/^[A-Z][A-Za-z]+$/.test(parts[0] ?? '')) return null;
  if (parts.length === 2 && query === undefined) return /^[A-Za-z0-9\-.]{1,64}$/.test(parts[1]!) ? { kind: 'read', type: parts[0]!, id: parts[1]! } : null;
  if (parts.length !== 1) return null;
  const params: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(query ?? '')) {
    const prev = params[k];
    params[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { kind: 'search', type: parts[0]!, params };
}

/**
 * Answers a template's query from the pool: a read when that resource was sent; a search when the client sent
 * resources of that type (then the matches, possibly none). Undefined when the pool cannot tell (nothing of
 * that type was sent, or a parameter this matcher cannot evaluate).
 */
export function answerFromPool(query: ParsedQuery, pool: ResourcePool): Resource | undefined {
  if (query.kind === 'read') return pool.get(`${query.type}/${query.id}`);
  if (!supported(query.params)) return undefined;
  const ofType = [...pool.values()].filter((r) => r.resourceType === query.type);
  if (ofType.length === 0) return undefined;
  return searchset(ofType.filter((r) => matches(r, query.params)));
}

function searchset(hits: Resource[]): Bundle {
  return { resourceType: 'Bundle', type: 'searchset', total: hits.length, entry: hits.map((resource) => ({ resource })) } as Bundle;
}

/**
 * Whether a query asks only about one patient's compartment, in a way this matcher evaluates: a read of that
 * Patient, or a search whose patient parameter names only that patient (e.g. `Condition?patient=123`,
 * `Coverage?patient=123&status=active`). Such a query is answered exactly by that patient's compartment for its type.
 */
export function patientScoped(query: ParsedQuery, patientId: string): boolean {
  if (query.kind === 'read') return query.type === 'Patient' && query.id === patientId;
  if (!supported(query.params) || Object.keys(query.params).some((n) => n.includes(':'))) return false;
  const named = Object.entries(query.params).filter(([n]) => PATIENT_PARAMS.has(n));
  return named.length > 0 && named.every(([, v]) => values(v).every((w) => (w.includes('/') ? refKey(w) : `Patient/${w}`) === `Patient/${patientId}`));
}

/**
 * Answers a patient-scoped query (`patientScoped`) from that patient's compartment read for the query's type:
 * the Patient (or null: there is none), or the matching resources (possibly none).
 */
export function answerFromCompartment(query: ParsedQuery, compartment: ResourcePool): Resource | null {
  if (query.kind === 'read') return compartment.get(`${query.type}/${query.id}`) ?? null;
  return searchset([...compartment.values()].filter((r) => r.resourceType === query.type && matches(r, query.params)));
}
