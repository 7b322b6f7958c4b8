/**
 * Prefetch (CDS Hooks 2.0 §Prefetch): render the service's templates with the request context (2.0 tokens, and
 * FHIRPath tokens as CRD 2.2 uses them), use what the client prefetched (a resource, a searchset Bundle, or
 * `null` = "there is none") under our key or, by type and reference, under any key, fetch the rest from the
 * data source, and report the keys the service needs but could get no way (→ 412).
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { FhirDataSource } from '../fhir/source.ts';
import { fhirpathToken, type TokenScope } from './fhirpathTokens.ts';
import { answerFromCompartment, answerFromPool, buildPool, contextResources, parseQuery, patientScoped, type ResourcePool } from './pool.ts';

export { parseQuery, type ParsedQuery } from './pool.ts';

const USER_TOKENS: Record<string, string> = {
  userPractitionerId: 'Practitioner',
  userPractitionerRoleId: 'PractitionerRole',
  userPatientId: 'Patient',
  userRelatedPersonId: 'RelatedPerson',
};

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Keeps ids and references readable (`Practitioner/123`) and percent-encodes anything else. */
function encodeValue(v: string): string {
  return v.replace(/[^A-Za-z0-9\-._~/|:,]/g, (c) => encodeURIComponent(c));
}

/** The value of one token, or null when the context does not have it (the template is then skipped). */
export function tokenValue(token: string, context: Record<string, unknown>, now: Date = new Date(), scope: TokenScope = {}): string | null {
  const t = token.trim();
  const ctx = /^context\.([A-Za-z][\w-]*)$/.exec(t);
  if (ctx) {
    const v = context[ctx[1]!];
    // Only first-level primitive context fields are prefetch tokens (a Bundle or array is not).
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
  }
  if (t === 'user') return typeof context.userId === 'string' ? context.userId : null;
  const type = USER_TOKENS[t];
  if (type) {
    const userId = typeof context.userId === 'string' ? context.userId : '';
    const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(userId);
    return m && m[1] === type ? m[2]! : null;
  }
  const today = /^today\(\)\s*(?:([+-])\s*(\d+)\s*days?)?$/.exec(t);
  if (today) {
    const d = new Date(now.getTime());
    if (today[1]) d.setUTCDate(d.getUTCDate() + (today[1] === '-' ? -1 : 1) * Number(today[2]));
    return isoDate(d);
  }
  // Anything else is a FHIRPath expression (context.draftOrders.entry.resource.ofType(X).id, %key.….id, a|b).
  return fhirpathToken(t, context, scope);
}

/** Renders a template; null when any token has no value (CDS Hooks: such a template is not filled). */
export function renderTemplate(template: string, context: Record<string, unknown>, now?: Date, scope?: TokenScope): string | null {
  let missing = false;
  const out = template.replace(/\{\{(.+?)\}\}/g, (_m, token: string) => {
    const v = tokenValue(token, context, now, scope);
    if (v === null || v === '') {
      missing = true;
      return '';
    }
    return encodeValue(v);
  });
  return missing ? null : out;
}

/** `matched`: found among what the client prefetched under other keys (by type and reference). */
export type KeySource = 'prefetch' | 'matched' | 'fetched' | 'not-applicable' | 'unavailable';

export interface PrefetchResult {
  /** key → resource, searchset Bundle, or null (none exists). Keys that could not be filled are absent. */
  values: Record<string, Resource | null>;
  /** How each template key was filled (for the audit and the sandbox). */
  sources: Record<string, KeySource>;
  /** Needed keys that were neither prefetched nor fetchable. */
  missing: { key: string; template: string; reason: string }[];
  /** Every resource sent or fetched, by `Type/id` (orders named only by reference are looked up here). */
  pool: ResourcePool;
}

export interface ResolvePrefetchInput {
  templates: Record<string, string>;
  required: string[];
  context: Record<string, unknown>;
  prefetch: Record<string, Resource | null> | undefined;
  /** Where to fetch what is missing; null when there is nowhere to fetch from. */
  source: FhirDataSource | null;
  /** Why `source` is null, for the 412 message. */
  noSourceReason?: string;
  logger?: Logger;
  now?: Date;
}

/** Templates that use earlier keys (`{{%key…}}`): they are rendered after the others. */
const USES_KEYS = /\{\{[^}]*%/;

/** Whether a prefetched value is usable: the spec lets clients put an OperationOutcome where a fetch failed. */
function usable(v: Resource | null): boolean {
  return v === null || (typeof v === 'object' && typeof v.resourceType === 'string' && v.resourceType !== 'OperationOutcome');
}

export async function resolvePrefetch(input: ResolvePrefetchInput): Promise<PrefetchResult> {
  const values: Record<string, Resource | null> = {};
  const sources: Record<string, KeySource> = {};
  const missing: PrefetchResult['missing'] = [];
  const given = input.prefetch ?? {};
  // Everything the request carries, whatever the key: answers our queries by type and reference, and resolve().
  const pool = buildPool([...Object.values(given).filter((v) => usable(v ?? null)), ...contextResources(input.context)]);

  const compartment = await compartmentRead(input, given, pool);

  async function fill(key: string, template: string): Promise<void> {
    const required = input.required.includes(key);
    if (sentFor(given, key)) {
      values[key] = given[key] ?? null;
      sources[key] = 'prefetch';
      return;
    }
    const vars = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, resourcesOf(v)]));
    const url = renderTemplate(template, input.context, input.now, { vars, pool });
    const query = url === null ? null : parseQuery(url);
    if (query === null) {
      // A template whose context field is absent (e.g. no encounterId) does not apply to this call.
      sources[key] = 'not-applicable';
      if (required) missing.push({ key, template, reason: 'the template cannot be filled from the context' });
      return;
    }
    const sent = answerFromPool(query, pool);
    if (sent !== undefined) {
      values[key] = sent;
      sources[key] = 'matched';
      return;
    }
    if (compartment?.keys.has(key)) {
      values[key] = answerFromCompartment(query, compartment.resources);
      sources[key] = 'fetched';
      buildPool([values[key]], pool);
      return;
    }
    if (!input.source) {
      sources[key] = 'unavailable';
      if (required) missing.push({ key, template, reason: `not prefetched, and ${input.noSourceReason ?? 'the request has no fhirServer to fetch it from'}` });
      return;
    }
    try {
      values[key] = query.kind === 'read' ? await input.source.read(query.type, query.id) : await input.source.search(query.type, query.params);
      sources[key] = 'fetched';
      buildPool([values[key]], pool);
    } catch (err) {
      // A fhirServer the guard refuses is the caller's error (400), not missing data.
      if (err instanceof AppError && err.code === 'FHIR_SERVER_NOT_ALLOWED') throw err;
      sources[key] = 'unavailable';
      const reason = `not prefetched, and fetching it from fhirServer failed: ${(err as Error).message?.slice(0, 200) ?? 'error'}`;
      // Log the key and the failure only: never the query (it has the patient id) or any data.
      input.logger?.warn({ prefetchKey: key, error: (err as Error).name }, 'CDS prefetch fetch failed');
      if (required) missing.push({ key, template, reason });
    }
  }

  // Templates that use earlier keys (%key) run after the others, in their order; the rest run in parallel.
  const entries = Object.entries(input.templates);
  await Promise.all(entries.filter(([, t]) => !USES_KEYS.test(t)).map(([k, t]) => fill(k, t)));
  for (const [k, t] of entries.filter(([, t]) => USES_KEYS.test(t))) await fill(k, t);
  return { values, sources, missing, pool };
}

/** Whether the client prefetched `key` usably (a resource, a Bundle, or `null` = none; not an OperationOutcome). */
function sentFor(given: Record<string, Resource | null>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(given, key) && usable(given[key] ?? null);
}

/**
 * The template keys left to fetch that ask only about the context's patient (`patientScoped`), with that patient's
 * compartment for their types, read in one go when two or more such keys need it and the source can
 * (FhirDataSource.compartment: the embedded store):
 * a no-prefetch order-sign call needs the Patient, its Coverages, Conditions and ClaimResponses, one read instead of
 * four (~0.2 vs ~0.8 ms of the event loop; issue 17). Null when there is nothing to gain or the read fails (then
 * each template is fetched on its own, as before).
 */
async function compartmentRead(input: ResolvePrefetchInput, given: Record<string, Resource | null>, pool: ResourcePool): Promise<{ keys: Set<string>; resources: ResourcePool } | null> {
  const patientId = input.context.patientId;
  if (!input.source?.compartment || typeof patientId !== 'string' || patientId === '') return null;
  const keys = new Set<string>();
  const types = new Set<string>();
  for (const [key, template] of Object.entries(input.templates)) {
    if (sentFor(given, key) || USES_KEYS.test(template)) continue;
    const url = renderTemplate(template, input.context, input.now, { vars: {}, pool });
    const query = url === null ? null : parseQuery(url);
    if (!query || !patientScoped(query, patientId) || answerFromPool(query, pool) !== undefined) continue;
    keys.add(key);
    types.add(query.type);
  }
  if (keys.size < 2) return null;
  try {
    return { keys, resources: buildPool(await input.source.compartment(patientId, [...types])) };
  } catch (err) {
    input.logger?.warn({ error: (err as Error).name }, 'CDS prefetch compartment read failed; fetching template by template');
    return null;
  }
}

/** Every resource in a prefetch value: the resource itself, or a Bundle's entries (matches and includes). */
export function resourcesOf(value: Resource | null | undefined): Resource[] {
  if (!value) return [];
  if (value.resourceType === 'Bundle') {
    const out: Resource[] = [];
    for (const e of (value as Bundle).entry ?? []) {
      if (e.resource && e.resource.resourceType !== 'OperationOutcome') out.push(...resourcesOf(e.resource));
    }
    return out;
  }
  return [value];
}

/** One collection Bundle of all prefetched/fetched resources (deduplicated by type/id), for the rule engine. */
export function patientBundleFrom(values: Record<string, Resource | null>): Bundle {
  const seen = new Map<string, Resource>();
  let anon = 0;
  for (const v of Object.values(values)) {
    for (const r of resourcesOf(v)) seen.set(r.id ? `${r.resourceType}/${r.id}` : `#${anon++}`, r);
  }
  return { resourceType: 'Bundle', type: 'collection', entry: [...seen.values()].map((resource) => ({ resource })) };
}
