/**
 * The pure half of transaction/batch processing: reading a Bundle's entries into a plan (method, type,
 * target id or condition), and rewriting references between entries. Entries reference each other by
 * `fullUrl` (`urn:uuid:…` in Synthea); once every created/updated entry has its final `Type/id`, each
 * `reference` equal to a fullUrl is replaced. Conditional references (`Patient?identifier=…`) are
 * resolved by a search the caller runs.
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface EntryPlan {
  index: number;
  method: Method;
  type: string;
  /** Target id: from the URL (PUT/DELETE/GET Type/id), or assigned / resolved later. */
  id?: string;
  /** Search query of a conditional PUT/DELETE, or of a GET search. */
  query?: string;
  resource?: Resource;
  fullUrl?: string;
  ifNoneExist?: string;
  ifMatch?: string;
}

export type BundleMode = 'transaction' | 'batch' | 'import';

export const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPE_RE = /^[A-Z][A-Za-z]+$/;

function bundleError(message: string, field: string, fix: string): AppError {
  return new AppError('FHIR_BUNDLE_INVALID', message, { problems: [{ field, problem: message, fix }] });
}

/** `Patient/123`, `Patient?identifier=x`, `Patient`, with an optional absolute base in front. */
function parseRequestUrl(url: string, where: string): { type: string; id?: string; query?: string } {
  const rel = url.replace(/^https?:\/\/[^?]*?\/(?=[A-Z][A-Za-z]+(?:[/?]|$))/, '');
  const q = rel.indexOf('?');
  const path = q >= 0 ? rel.slice(0, q) : rel;
  const query = q >= 0 ? rel.slice(q + 1) : undefined;
  const [type, id, ...rest] = path.split('/');
  if (!type || !TYPE_RE.test(type) || rest.length > 0 || (id !== undefined && !ID_RE.test(id))) {
    throw bundleError(`${where}.request.url "${url}" is not Type, Type/id or Type?query`, `${where}.request.url`, 'e.g. "Patient", "Patient/123" or "Patient?identifier=http://hospital.org|42".');
  }
  return { type, ...(id !== undefined ? { id } : {}), ...(query !== undefined ? { query } : {}) };
}

/**
 * Reads the entries of a transaction/batch Bundle. In `import` mode (Synthea files, `fhir import`) a
 * POST of a resource that carries an id keeps that id (an upsert), so shared Organizations and
 * Practitioners are stored once and re-importing a file updates instead of duplicating; a
 * `collection` Bundle is accepted too, each entry an upsert.
 */
export function planEntries(bundle: unknown, mode: BundleMode): EntryPlan[] {
  const b = bundle as Bundle | null;
  if (typeof b !== 'object' || b === null || b.resourceType !== 'Bundle') {
    throw bundleError('The body is not a FHIR Bundle (resourceType must be "Bundle")', 'Bundle.resourceType', 'Post a Bundle with type "transaction" or "batch".');
  }
  const allowed = mode === 'import' ? ['transaction', 'batch', 'collection'] : [mode];
  if (!allowed.includes(b.type ?? '')) {
    throw bundleError(`Bundle.type is "${b.type ?? ''}"; expected ${allowed.join(' or ')}`, 'Bundle.type', mode === 'import' ? 'Import transaction, batch or collection Bundles.' : 'Set Bundle.type to "transaction" (all or nothing) or "batch".');
  }
  if (b.entry !== undefined && !Array.isArray(b.entry)) throw bundleError('Bundle.entry must be an array', 'Bundle.entry', 'Put the entries in an array.');
  return (b.entry ?? []).map((e: BundleEntry, index) => planEntry(e, index, mode, b.type === 'collection'));
}

/** One entry of a Bundle (batch entries are planned one by one, so one bad entry fails alone). */
export function planEntry(e: BundleEntry, index: number, mode: BundleMode, collection: boolean): EntryPlan {
  const where = `Bundle.entry[${index}]`;
  if (typeof e !== 'object' || e === null) throw bundleError(`${where} is not an object`, where, 'Each entry is an object with resource and request.');
  const resource = e.resource as Resource | undefined;
  if (resource !== undefined && (typeof resource !== 'object' || resource === null || typeof resource.resourceType !== 'string')) {
    throw bundleError(`${where}.resource has no resourceType`, `${where}.resource`, 'Each resource needs "resourceType".');
  }
  const fullUrl = typeof e.fullUrl === 'string' ? e.fullUrl : undefined;
  if (collection || (mode === 'import' && !e.request)) {
    if (!resource) throw bundleError(`${where} has no resource`, `${where}.resource`, 'Give every entry a resource.');
    const id = resource.id && ID_RE.test(resource.id) ? resource.id : undefined;
    return { index, method: id ? 'PUT' : 'POST', type: resource.resourceType, ...(id ? { id } : {}), resource, ...(fullUrl ? { fullUrl } : {}) };
  }
  const req = e.request;
  if (!req || typeof req.url !== 'string' || typeof req.method !== 'string') {
    throw bundleError(`${where}.request (method and url) is missing`, `${where}.request`, 'Add request: {"method": "POST", "url": "Patient"} (or PUT Type/id, DELETE Type/id, GET Type?query).');
  }
  const method = req.method.toUpperCase();
  if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) {
    throw bundleError(`${where}.request.method ${req.method} is not supported`, `${where}.request.method`, 'Use GET, POST, PUT or DELETE (PATCH is not supported).');
  }
  const url = parseRequestUrl(req.url, where);
  const plan: EntryPlan = { index, method: method as Method, type: url.type, ...(fullUrl ? { fullUrl } : {}) };
  if (req.ifNoneExist) plan.ifNoneExist = req.ifNoneExist.replace(/^[A-Za-z]+\?/, '');
  if (req.ifMatch) plan.ifMatch = req.ifMatch;
  if (method === 'POST' || method === 'PUT') {
    if (!resource) throw bundleError(`${where} (${method}) has no resource`, `${where}.resource`, `A ${method} entry carries the resource to write.`);
    if (resource.resourceType !== url.type) {
      throw bundleError(`${where}.resource is a ${resource.resourceType} but request.url names ${url.type}`, `${where}.request.url`, 'Make request.url name the resource type.');
    }
    plan.resource = resource;
  }
  if (method === 'POST') {
    if (url.id !== undefined || url.query !== undefined) throw bundleError(`${where}: POST url must be just the type, got "${req.url}"`, `${where}.request.url`, `Use "url": "${url.type}" (conditional create goes in ifNoneExist).`);
    if (mode === 'import' && resource?.id && ID_RE.test(resource.id)) {
      plan.method = 'PUT';
      plan.id = resource.id;
    }
    return plan;
  }
  if (url.id !== undefined) plan.id = url.id;
  else if (url.query !== undefined) plan.query = url.query;
  else if (method !== 'GET') throw bundleError(`${where}: ${method} url needs an id or a search ("${url.type}/id" or "${url.type}?…")`, `${where}.request.url`, `e.g. "${url.type}/123".`);
  if (method === 'PUT' && plan.id !== undefined && resource?.id !== undefined && resource.id !== plan.id) {
    throw new AppError('FHIR_RESOURCE_INVALID', `${where}.resource.id "${resource.id}" differs from the id in request.url (${plan.id})`, {
      problems: [{ field: `${where}.resource.id`, problem: 'id differs from request.url', fix: 'Use the same id in both, or leave resource.id out.' }],
    });
  }
  return plan;
}

/** Calls `visit` on every Reference-like object (any object with a string `reference`), contained included. */
export function forEachReference(node: unknown, visit: (ref: { reference: string }) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) forEachReference(n, visit);
  } else if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (typeof o.reference === 'string') visit(o as { reference: string });
    for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) forEachReference(v, visit);
  }
}

/** `Type?query` references (conditional references), e.g. `Patient?identifier=http://x|1`. */
export function isConditionalReference(ref: string): boolean {
  return /^[A-Z][A-Za-z]+\?./.test(ref);
}

/** Parses a query string into the params record the search parser takes (repeated keys → arrays). */
export function queryToParams(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(query)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Rewrites references in place: fullUrls of other entries → their `Type/id`, conditional references →
 * the resolved `Type/id`. Throws for `urn:` references that name no entry.
 */
export function rewriteReferences(resource: Resource, where: string, byFullUrl: Map<string, string>, conditional: Map<string, string>): void {
  forEachReference(resource, (r) => {
    const target = byFullUrl.get(r.reference) ?? conditional.get(r.reference);
    if (target) r.reference = target;
    else if (r.reference.startsWith('urn:uuid:') || r.reference.startsWith('urn:oid:')) {
      throw bundleError(`${where} references ${r.reference}, which is the fullUrl of no entry in the Bundle`, where, 'Add the referenced resource to the Bundle with that fullUrl, or reference a stored resource as Type/id.');
    }
  });
}

/** Strips meta.versionId/lastUpdated so two versions can be compared for "nothing changed". */
export function contentKey(resource: Resource): string {
  const { meta, ...rest } = resource as Resource & { meta?: Record<string, unknown> };
  if (!meta) return JSON.stringify(rest);
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta;
  return JSON.stringify(Object.keys(otherMeta).length ? { ...rest, meta: otherMeta } : rest);
}
