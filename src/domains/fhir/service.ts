/**
 * The embedded FHIR R4 store: CRUD with versioning (meta.versionId / lastUpdated, full history),
 * search, transaction/batch Bundles (all-or-nothing in one database transaction), Synthea import and
 * the per-patient bundle the CDS rules read. Resources are validated against the R4 structure on write.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, BundleLink, Coverage, HumanName, Patient, Resource } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import { AppError, type Problem } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import { isUniqueViolation } from '../../storage/db.ts';
import { clampLimit } from '../../storage/pagination.ts';
import { contentKey, forEachReference, isConditionalReference, planEntries, planEntry, queryToParams, rewriteReferences, type BundleMode, type EntryPlan } from './bundle.ts';
import { coverageFor, payerOrganization, type CoverageOptions } from './coverage.ts';
import { errorOutcome } from './operationOutcome.ts';
import { parseReference, parseSearch, referencesIn } from './search.ts';
import type { FhirDataSource } from './source.ts';
import {
  activeCoverages,
  compartment,
  countsByType,
  getResource,
  getResources,
  getVersion,
  listPatientRows,
  listVersions,
  referenceTargets,
  referencingResources,
  searchResources,
  writeVersions,
  type Db,
  type StoredResource,
  type WriteOp,
} from './store.ts';
import { assertResourceType, assertValidResource, invalidResourceError, validationProblems } from './validate.ts';

export interface FhirDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Absolute base for fullUrl / paging links when not called over HTTP (default http://localhost/fhir/R4). */
  baseUrl?: string;
}

export interface SearchOptions {
  /** Absolute base URL of this server for fullUrl and links (the HTTP layer passes the request's). */
  baseUrl?: string;
}

export interface WriteResult {
  resource: Resource;
  /** true when the write created the resource (201), false for a new version of an existing one. */
  created: boolean;
}

export interface ImportOptions extends CoverageOptions {
  /** Payer name: add an active Coverage for every Patient in the bundle (Synthea has none). */
  withCoverage?: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  /** Entries identical to what is stored (a re-import): no new version written. */
  unchanged: number;
  byType: Record<string, number>;
  coverages: number;
  patients: string[];
}

export interface PatientSummary {
  id: string;
  name: string;
  birthDate: string | null;
  gender: string | null;
  /** The active coverage as "Payer — Plan", or null. */
  coverage: string | null;
}

export interface FhirService extends FhirDataSource {
  read<T extends Resource = Resource>(type: string, id: string): Promise<T | null>;
  search(type: string, params: Record<string, string | string[]>, options?: SearchOptions): Promise<Bundle>;
  patientBundle(patientId: string, options?: SearchOptions): Promise<Bundle | null>;
  /** Live resources of `types` in a Patient's compartment, in one read (FhirDataSource.compartment). */
  compartment(patientId: string, types: readonly string[]): Promise<Resource[]>;
  /** Like read, but throws FHIR_NOT_FOUND / FHIR_GONE (for the REST API). */
  get(type: string, id: string): Promise<Resource>;
  vread(type: string, id: string, versionId: string): Promise<Resource>;
  history(type: string, id: string, options?: SearchOptions & { count?: number }): Promise<Bundle>;
  create(resource: Resource): Promise<Resource>;
  /** Conditional create (If-None-Exist): returns the existing match (created: false) when the search finds one. */
  createIfNoneExist(resource: Resource, ifNoneExist: string): Promise<WriteResult>;
  /** Update or create with a client id (PUT). `ifMatch` is an ETag (W/"3") or a version ("3"). */
  update(type: string, id: string, resource: Resource, options?: { ifMatch?: string }): Promise<WriteResult>;
  /** Deletes (a tombstone version); deleting a missing resource is a no-op. Returns whether something was deleted. */
  delete(type: string, id: string): Promise<boolean>;
  /** A transaction (all or nothing) or batch Bundle; returns the transaction-response / batch-response. */
  transaction(bundle: Bundle, options?: SearchOptions & { returnResources?: boolean }): Promise<Bundle>;
  /** Imports a Synthea-style transaction (or collection) Bundle in one database transaction, keeping resource ids. */
  importBundle(bundle: Bundle, opts?: ImportOptions): Promise<ImportResult>;
  listPatients(q: { name?: string; limit?: number; cursor?: string }): Promise<{ items: PatientSummary[]; nextCursor: string | null }>;
  /** Live resources per type. */
  counts(): Promise<Record<string, number>>;
}

/** What patientBundle collects: the compartment types the CRD rules read. */
export const PATIENT_BUNDLE_TYPES = [
  'Patient', 'Coverage', 'Condition', 'MedicationRequest', 'ServiceRequest', 'DeviceRequest', 'Encounter', 'Procedure',
  'Observation', 'Claim', 'ClaimResponse', 'AllergyIntolerance', 'MedicationStatement', 'Device',
];
/** Referenced (non-compartment) resources patientBundle adds. */
const REFERENCED_TYPES = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Medication', 'Device']);

const DEFAULT_BASE = 'http://localhost/fhir/R4';

function etagVersion(ifMatch: string): number | undefined {
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim());
  return m ? Number(m[1]) : undefined;
}

function withMeta(resource: Resource, id: string, versionId: number, lastUpdated: string): Resource {
  const { resourceType, id: _old, meta, ...rest } = resource as Resource & { meta?: Record<string, unknown> };
  return { resourceType, id, meta: { ...(meta ?? {}), versionId: String(versionId), lastUpdated }, ...rest } as Resource;
}

function notFound(type: string, id: string): AppError {
  return new AppError('FHIR_NOT_FOUND', `${type}/${id} does not exist in the FHIR store.`, {
    problems: [{ field: `${type}.id`, problem: `no ${type} with id "${id}"`, fix: `Search with GET /fhir/R4/${type}?… to find the id.` }],
  });
}

function gone(s: StoredResource): AppError {
  return new AppError('FHIR_GONE', `${s.type}/${s.id} was deleted (version ${s.versionId}, ${s.lastUpdated}).`, {
    problems: [{ field: `${s.type}.id`, problem: 'deleted', fix: `Earlier versions stay readable at /fhir/R4/${s.type}/${s.id}/_history/{version}.` }],
  });
}

function humanName(names: HumanName[] | undefined): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return '';
  if (n.text) return n.text;
  return [...(n.prefix ?? []), ...(n.given ?? []), n.family ?? ''].filter(Boolean).join(' ');
}

/** "Payer — Plan" for the patient picker. */
export function coverageLabel(c: Coverage): string {
  const plan = c.class?.find((k) => k.type?.coding?.some((x) => x.code === 'plan'));
  const payer = c.payor?.[0]?.display;
  const planName = plan?.name ?? plan?.value;
  return [payer, planName].filter(Boolean).join(' — ') || c.id || 'Coverage';
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
    throw new AppError('BAD_REQUEST', `Invalid cursor "${cursor}"`, { problems: [{ field: 'cursor', problem: 'not a cursor returned by this API', fix: 'Pass nextCursor from the previous page unchanged, or omit it.' }] });
  }
  return id;
}

/** Rebuilds a query string from params, for paging links. */
function queryString(params: Record<string, string | string[]>, overrides: Record<string, string>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (k in overrides) continue;
    for (const x of Array.isArray(v) ? v : [v]) u.append(k, x);
  }
  for (const [k, v] of Object.entries(overrides)) u.append(k, v);
  return u.toString();
}

export function createFhirService(deps: FhirDeps): FhirService {
  const { db, logger } = deps;
  const defaultBase = (deps.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, '');

  const entryFor = (base: string, s: StoredResource, mode?: 'match' | 'include' | 'outcome'): BundleEntry => ({
    fullUrl: `${base}/${s.type}/${s.id}`,
    resource: s.resource,
    ...(mode ? { search: { mode } } : {}),
  });

  async function searchOn(exec: Db, type: string, params: Record<string, string | string[]>, base: string): Promise<Bundle> {
    assertResourceType(type);
    const parsed = parseSearch(type, params);
    const { rows, total } = await searchResources(exec, type, parsed);
    const entries: BundleEntry[] = rows.map((r) => entryFor(base, r, 'match'));
    const seen = new Set(rows.map((r) => `${r.type}/${r.id}`));
    const ids = rows.map((r) => r.id);
    const extra: Array<{ type: string; id: string }> = [];
    for (const inc of parsed.include) {
      if (inc.source !== type) continue;
      extra.push(...(await referenceTargets(exec, type, ids, inc.param, inc.target)));
    }
    for (const rev of parsed.revinclude) extra.push(...(await referencingResources(exec, rev.source, rev.param, type, ids)));
    const wanted = extra.filter((k) => !seen.has(`${k.type}/${k.id}`) && (seen.add(`${k.type}/${k.id}`), true));
    if (wanted.length) {
      const found = await getResources(exec, wanted);
      for (const k of wanted) {
        const s = found.get(`${k.type}/${k.id}`);
        if (s && !s.deleted) entries.push(entryFor(base, s, 'include'));
      }
    }
    const link: BundleLink[] = [{ relation: 'self', url: `${base}/${type}?${queryString(params, {})}` }];
    if (!parsed.summaryCount && parsed.count > 0) {
      const hasNext = total !== undefined ? parsed.offset + rows.length < total : rows.length === parsed.count;
      const page = (offset: number) => `${base}/${type}?${queryString(params, { _count: String(parsed.count), _offset: String(offset) })}`;
      link.push({ relation: 'first', url: page(0) });
      if (parsed.offset > 0) link.push({ relation: 'previous', url: page(Math.max(0, parsed.offset - parsed.count)) });
      if (hasNext) link.push({ relation: 'next', url: page(parsed.offset + parsed.count) });
      if (total !== undefined && total > 0) link.push({ relation: 'last', url: page(Math.floor((total - 1) / parsed.count) * parsed.count) });
    }
    return { resourceType: 'Bundle', type: 'searchset', ...(total !== undefined ? { total } : {}), link, entry: entries };
  }

  /** Ids matching a conditional URL's query (for ifNoneExist, conditional PUT/DELETE and references). */
  async function matchIds(exec: Db, type: string, query: string): Promise<string[]> {
    const params = { ...queryToParams(query), _count: '2', _total: 'none' };
    const { rows } = await searchResources(exec, type, parseSearch(type, params));
    return rows.map((r) => r.id);
  }

  interface Outcome {
    plan: EntryPlan;
    status: string;
    stored?: StoredResource;
    created?: boolean;
    unchanged?: boolean;
    deleted?: boolean;
    searchBundle?: Bundle;
  }

  /**
   * Processes planned entries on one executor (a database transaction): resolves ids and conditions,
   * rewrites references, validates everything, then writes all new versions in one batch.
   */
  async function applyEntries(exec: Db, plans: EntryPlan[], mode: BundleMode, base: string, inBundle: boolean): Promise<Outcome[]> {
    const now = new Date().toISOString();
    const outcomes = new Map<number, Outcome>();
    const byFullUrl = new Map<string, string>();
    const targets = new Set<string>();
    const order: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, GET: 3 };
    const sorted = [...plans].sort((a, b) => order[a.method]! - order[b.method]! || a.index - b.index);

    // 1. Types, ids and conditions.
    for (const p of sorted) {
      const where = `Bundle.entry[${p.index}]`;
      assertResourceType(p.type);
      if (p.method === 'POST' && p.ifNoneExist) {
        const ids = await matchIds(exec, p.type, p.ifNoneExist);
        if (ids.length > 1) throw new AppError('FHIR_PRECONDITION_FAILED', `${where}: ifNoneExist "${p.ifNoneExist}" matches ${ids.length}+ ${p.type} resources`, { problems: [{ field: `${where}.request.ifNoneExist`, problem: 'matches several resources', fix: 'Make the condition identify one resource (e.g. by identifier).' }] });
        if (ids.length === 1) {
          p.id = ids[0]!;
          outcomes.set(p.index, { plan: p, status: '200 OK' });
        }
      }
      if ((p.method === 'PUT' || p.method === 'DELETE') && p.query !== undefined) {
        const ids = await matchIds(exec, p.type, p.query);
        if (ids.length > 1) throw new AppError('FHIR_PRECONDITION_FAILED', `${where}: conditional ${p.method} "${p.type}?${p.query}" matches several resources`, { problems: [{ field: `${where}.request.url`, problem: 'matches several resources', fix: 'Make the condition identify one resource.' }] });
        if (ids.length === 1) p.id = ids[0]!;
        else if (p.method === 'PUT') p.id = p.resource?.id ?? randomUUID();
        else {
          outcomes.set(p.index, { plan: p, status: '204 No Content' });
          continue;
        }
      }
      if (p.method === 'POST' && p.id === undefined) p.id = randomUUID();
      if (p.method !== 'GET' && p.id !== undefined) {
        const k = `${p.type}/${p.id}`;
        if (targets.has(k) && !outcomes.has(p.index)) {
          throw new AppError('FHIR_BUNDLE_INVALID', `${where} writes ${k}, which another entry of the Bundle also writes`, { problems: [{ field: where, problem: `duplicate target ${k}`, fix: 'Write each resource once per Bundle.' }] });
        }
        targets.add(k);
        if (p.fullUrl && p.method !== 'DELETE') byFullUrl.set(p.fullUrl, k);
      }
    }

    // 2. References between entries, and conditional references.
    const conditional = new Map<string, string>();
    for (const p of plans) {
      if (!p.resource) continue;
      const refs: string[] = [];
      forEachReference(p.resource, (r) => {
        if (isConditionalReference(r.reference) && !conditional.has(r.reference)) refs.push(r.reference);
      });
      for (const ref of refs) {
        const [type, query] = [ref.slice(0, ref.indexOf('?')), ref.slice(ref.indexOf('?') + 1)];
        const ids = await matchIds(exec, type, query);
        const where = `Bundle.entry[${p.index}].resource`;
        if (ids.length === 0) throw new AppError('FHIR_BUNDLE_INVALID', `${where}: conditional reference ${ref} matches no resource`, { problems: [{ field: where, problem: `${ref} matches nothing`, fix: 'Store the referenced resource first, or reference it by fullUrl within the Bundle.' }] });
        if (ids.length > 1) throw new AppError('FHIR_PRECONDITION_FAILED', `${where}: conditional reference ${ref} matches several resources`, { problems: [{ field: where, problem: `${ref} is ambiguous`, fix: 'Make the reference\'s search identify one resource.' }] });
        conditional.set(ref, `${type}/${ids[0]}`);
      }
    }
    const writes = plans.filter((p) => (p.method === 'PUT' || p.method === 'POST' || p.method === 'DELETE') && p.id !== undefined && !outcomes.has(p.index));
    const current = await getResources(exec, writes.map((p) => ({ type: p.type, id: p.id! })));
    const problems: Problem[] = [];
    for (const p of plans) {
      if (!p.resource || outcomes.has(p.index)) continue;
      const prefix = `Bundle.entry[${p.index}].resource`;
      rewriteReferences(p.resource, prefix, byFullUrl, conditional);
      // 3. Structure validation of every written resource; all problems are reported at once. Content identical
      // to the stored version was validated when it was written (re-importing a file costs no validation).
      p.resource = { ...p.resource, id: p.id } as Resource;
      const prev = p.id !== undefined ? current.get(`${p.type}/${p.id}`) : undefined;
      if (prev && !prev.deleted && contentKey(prev.resource) === contentKey(p.resource)) continue;
      problems.push(...validationProblems(p.resource, inBundle ? prefix : undefined));
    }
    if (problems.length > 0) throw invalidResourceError(problems, inBundle ? 'The Bundle' : `${plans[0]?.type ?? 'The resource'}`);

    // 4. Versions.
    const ops: WriteOp[] = [];
    for (const p of writes) {
      const prev = current.get(`${p.type}/${p.id}`);
      const where = `Bundle.entry[${p.index}]`;
      if (p.ifMatch !== undefined) {
        const want = etagVersion(p.ifMatch);
        if (!prev || prev.deleted || want !== prev.versionId) {
          throw new AppError('FHIR_PRECONDITION_FAILED', `${where}: If-Match ${p.ifMatch} but ${p.type}/${p.id} is at ${prev ? `version ${prev.versionId}${prev.deleted ? ' (deleted)' : ''}` : 'no version'}`, {
            problems: [{ field: `${where}.request.ifMatch`, problem: 'version mismatch', fix: 'Read the resource again and retry with its current ETag.' }],
          });
        }
      }
      if (p.method === 'DELETE') {
        if (!prev || prev.deleted) {
          outcomes.set(p.index, { plan: p, status: '204 No Content' });
          continue;
        }
        ops.push({ type: p.type, id: p.id!, versionId: prev.versionId + 1, lastUpdated: now, resource: null, previous: prev });
        outcomes.set(p.index, { plan: p, status: '204 No Content', deleted: true });
        continue;
      }
      if (p.method === 'POST' && prev && mode !== 'import') {
        throw new AppError('FHIR_BUNDLE_INVALID', `${where}: ${p.type}/${p.id} already exists`, { problems: [{ field: where, problem: 'id collision', fix: 'Retry; ids of created resources are assigned by the server.' }] });
      }
      if (prev && !prev.deleted && contentKey(prev.resource) === contentKey(p.resource!)) {
        outcomes.set(p.index, { plan: p, status: '200 OK', stored: prev, unchanged: true, created: false });
        continue;
      }
      const versionId = prev ? prev.versionId + 1 : 1;
      const resource = withMeta(p.resource!, p.id!, versionId, now);
      ops.push({ type: p.type, id: p.id!, versionId, lastUpdated: now, resource, ...(prev ? { previous: prev } : {}) });
      const created = !prev || prev.deleted;
      outcomes.set(p.index, {
        plan: p,
        status: created ? '201 Created' : '200 OK',
        created,
        stored: { type: p.type, id: p.id!, versionId, lastUpdated: now, deleted: false, patientId: null, resource },
      });
    }
    try {
      await writeVersions(exec, ops);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('FHIR_PRECONDITION_FAILED', 'Another request wrote the same resources at the same time; retry.', { cause: err });
      throw err;
    }

    // 5. Reads and searches run after the writes (transaction semantics).
    for (const p of plans) {
      if (outcomes.has(p.index)) {
        const o = outcomes.get(p.index)!;
        if (!o.stored && p.id !== undefined && o.status === '200 OK') {
          const s = await getResource(exec, p.type, p.id);
          if (s) o.stored = s;
        }
        continue;
      }
      if (p.method !== 'GET') continue;
      if (p.id !== undefined) {
        const s = await getResource(exec, p.type, p.id);
        if (!s) throw notFound(p.type, p.id);
        if (s.deleted) throw gone(s);
        outcomes.set(p.index, { plan: p, status: '200 OK', stored: s });
      } else {
        outcomes.set(p.index, { plan: p, status: '200 OK', searchBundle: await searchOn(exec, p.type, queryToParams(p.query ?? ''), base) });
      }
    }
    return plans.map((p) => outcomes.get(p.index)!);
  }

  function responseEntry(o: Outcome, base: string, returnResources: boolean): BundleEntry {
    const s = o.stored;
    const response: NonNullable<BundleEntry['response']> = { status: o.status };
    if (s && o.plan.method !== 'GET') {
      response.location = `${o.plan.type}/${s.id}/_history/${s.versionId}`;
      response.etag = `W/"${s.versionId}"`;
      response.lastModified = s.lastUpdated;
    }
    const entry: BundleEntry = { response };
    if (s) entry.fullUrl = `${base}/${s.type}/${s.id}`;
    if (o.searchBundle) entry.resource = o.searchBundle;
    else if (s && (returnResources || o.plan.method === 'GET')) entry.resource = s.resource;
    return entry;
  }

  async function runTransaction(plans: EntryPlan[], mode: BundleMode, base: string, inBundle = true): Promise<Outcome[]> {
    return db.transaction().execute((trx) => applyEntries(trx, plans, mode, base, inBundle));
  }

  async function writeOne(plan: EntryPlan): Promise<Outcome> {
    const [o] = await runTransaction([plan], 'transaction', defaultBase, false);
    return o!;
  }

  const service: FhirService = {
    async read<T extends Resource = Resource>(type: string, id: string): Promise<T | null> {
      assertResourceType(type);
      const s = await getResource(db, type, id);
      return s && !s.deleted ? (s.resource as T) : null;
    },

    async get(type, id) {
      assertResourceType(type);
      const s = await getResource(db, type, id);
      if (!s) throw notFound(type, id);
      if (s.deleted) throw gone(s);
      return s.resource;
    },

    async vread(type, id, versionId) {
      assertResourceType(type);
      const v = Number(versionId);
      const s = Number.isInteger(v) ? await getVersion(db, type, id, v) : undefined;
      if (!s) throw new AppError('FHIR_NOT_FOUND', `${type}/${id} has no version ${versionId}.`, { problems: [{ field: 'versionId', problem: 'unknown version', fix: `List versions with GET /fhir/R4/${type}/${id}/_history.` }] });
      if (s.deleted) throw gone(s);
      return s.resource;
    },

    async history(type, id, options = {}) {
      assertResourceType(type);
      const base = (options.baseUrl ?? defaultBase).replace(/\/+$/, '');
      const versions = await listVersions(db, type, id, Math.min(options.count ?? 100, 1000));
      if (versions.length === 0) throw notFound(type, id);
      return {
        resourceType: 'Bundle',
        type: 'history',
        total: versions.length,
        entry: versions.map((v) => ({
          fullUrl: `${base}/${type}/${id}`,
          ...(v.deleted ? {} : { resource: v.resource }),
          request: { method: v.deleted ? 'DELETE' : v.versionId === 1 ? 'POST' : 'PUT', url: v.versionId === 1 ? type : `${type}/${id}` },
          response: { status: v.deleted ? '204 No Content' : v.versionId === 1 ? '201 Created' : '200 OK', etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated },
        })),
      };
    },

    async search(type, params, options = {}) {
      return searchOn(db, type, params, (options.baseUrl ?? defaultBase).replace(/\/+$/, ''));
    },

    async create(resource) {
      assertValidResourceShape(resource);
      const o = await writeOne({ index: 0, method: 'POST', type: resource.resourceType, resource: { ...resource } });
      return o.stored!.resource;
    },

    async createIfNoneExist(resource, ifNoneExist) {
      assertValidResourceShape(resource);
      const o = await writeOne({ index: 0, method: 'POST', type: resource.resourceType, resource: { ...resource }, ifNoneExist: ifNoneExist.replace(/^[A-Za-z]+\?/, '') });
      return { resource: o.stored!.resource, created: o.created === true };
    },

    async update(type, id, resource, options = {}) {
      assertResourceType(type);
      assertValidResourceShape(resource);
      if (resource.resourceType !== type) {
        throw new AppError('FHIR_RESOURCE_INVALID', `The body is a ${resource.resourceType} but the URL names ${type}`, { problems: [{ field: 'resourceType', problem: `expected ${type}`, fix: 'PUT the resource to its own type\'s URL.' }] });
      }
      if (resource.id !== undefined && resource.id !== id) {
        throw new AppError('FHIR_RESOURCE_INVALID', `The body's id "${resource.id}" differs from the URL's id "${id}"`, { problems: [{ field: `${type}.id`, problem: 'id differs from the URL', fix: 'Use the same id in the body and the URL.' }] });
      }
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
        throw new AppError('FHIR_RESOURCE_INVALID', `"${id}" is not a valid FHIR id`, { problems: [{ field: `${type}.id`, problem: 'invalid id', fix: 'Ids are 1-64 letters, digits, "-" and ".".' }] });
      }
      const o = await writeOne({ index: 0, method: 'PUT', type, id, resource: { ...resource }, ...(options.ifMatch ? { ifMatch: options.ifMatch } : {}) });
      return { resource: o.stored!.resource, created: o.created === true };
    },

    async delete(type, id) {
      assertResourceType(type);
      const o = await writeOne({ index: 0, method: 'DELETE', type, id });
      return o.deleted === true;
    },

    async transaction(bundle, options = {}) {
      const base = (options.baseUrl ?? defaultBase).replace(/\/+$/, '');
      const type = (bundle as { type?: string } | null)?.type;
      if (type === 'batch') {
        planEntries({ ...bundle, entry: [] }, 'batch');
        const entries: BundleEntry[] = [];
        for (const [i, e] of (Array.isArray(bundle.entry) ? bundle.entry : []).entries()) {
          try {
            // Each entry on its own: a failing one answers with its OperationOutcome, the others still apply.
            const p = planEntry(e, i, 'batch', false);
            const [o] = await runTransaction([p], 'batch', base);
            entries.push(responseEntry({ ...o!, plan: p }, base, options.returnResources === true));
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            const { status, outcome } = errorOutcome(err);
            entries.push({ response: { status: String(status), outcome } });
          }
        }
        return { resourceType: 'Bundle', type: 'batch-response', entry: entries };
      }
      const plans = planEntries(bundle, 'transaction');
      const outcomes = await runTransaction(plans, 'transaction', base);
      return { resourceType: 'Bundle', type: 'transaction-response', entry: outcomes.map((o) => responseEntry(o, base, options.returnResources === true)) };
    },

    async importBundle(bundle, opts = {}) {
      const plans = planEntries(bundle, 'import');
      const patients = plans.filter((p) => p.type === 'Patient' && p.method !== 'DELETE' && p.method !== 'GET');
      let coverages = 0;
      if (opts.withCoverage) {
        // Coverage ids are derived from patient and payer, so re-importing updates the same Coverage.
        const payer = payerOrganization(opts.withCoverage);
        let next = plans.length;
        plans.push({ index: next++, method: 'PUT', type: 'Organization', id: payer.id!, resource: payer });
        for (const p of patients) {
          const patientRef = p.fullUrl ?? `Patient/${p.id ?? p.resource?.id}`;
          const cov = coverageFor(patientRef, p.id ?? p.resource?.id ?? String(p.index), payer, opts);
          plans.push({ index: next++, method: 'PUT', type: 'Coverage', id: cov.id!, resource: cov });
          coverages++;
        }
      }
      const started = Date.now();
      const outcomes = await runTransaction(plans, 'import', defaultBase);
      const result: ImportResult = { created: 0, updated: 0, unchanged: 0, byType: {}, coverages, patients: [] };
      for (const o of outcomes) {
        if (o.plan.method === 'GET') continue;
        result.byType[o.plan.type] = (result.byType[o.plan.type] ?? 0) + 1;
        if (o.unchanged) result.unchanged++;
        else if (o.created) result.created++;
        else if (o.stored) result.updated++;
        if (o.plan.type === 'Patient' && o.stored) result.patients.push(o.stored.id);
      }
      logger.info({ entries: plans.length, created: result.created, updated: result.updated, ms: Date.now() - started }, 'imported FHIR bundle');
      return result;
    },

    async compartment(patientId, types) {
      if (types.length === 0) return [];
      return (await compartment(db, patientId, [...types])).map((r) => r.resource);
    },

    async patientBundle(patientId, options = {}) {
      const base = (options.baseUrl ?? defaultBase).replace(/\/+$/, '');
      const rows = await compartment(db, patientId, PATIENT_BUNDLE_TYPES);
      const patient = rows.find((r) => r.type === 'Patient' && r.id === patientId);
      if (!patient) return null;
      const have = new Set(rows.map((r) => `${r.type}/${r.id}`));
      const wanted = new Map<string, { type: string; id: string }>();
      for (const r of rows) {
        for (const ref of referencesIn(r.resource)) {
          const k = `${ref.type}/${ref.id}`;
          if (REFERENCED_TYPES.has(ref.type) && !have.has(k)) wanted.set(k, ref);
        }
      }
      let referenced = [...(await getResources(db, [...wanted.values()])).values()].filter((s) => !s.deleted);
      // One more hop: PractitionerRole → Practitioner / Organization / Location.
      const second = new Map<string, { type: string; id: string }>();
      for (const s of referenced) {
        for (const ref of referencesIn(s.resource)) {
          const k = `${ref.type}/${ref.id}`;
          if (REFERENCED_TYPES.has(ref.type) && !have.has(k) && !wanted.has(k)) second.set(k, ref);
        }
      }
      if (second.size) referenced = referenced.concat([...(await getResources(db, [...second.values()])).values()].filter((s) => !s.deleted));
      const ordered = [patient, ...rows.filter((r) => r !== patient), ...referenced];
      return { resourceType: 'Bundle', type: 'searchset', total: ordered.length, entry: ordered.map((s) => entryFor(base, s)) };
    },

    async listPatients(q) {
      const limit = clampLimit(q.limit);
      const after = decodeCursor(q.cursor);
      const rows = await listPatientRows(db, { ...(q.name ? { name: q.name } : {}), limit, ...(after ? { after } : {}) });
      const page = rows.slice(0, limit);
      const covs = await activeCoverages(db, page.map((r) => r.id));
      const covByPatient = new Map<string, string>();
      for (const c of covs) {
        const pid = c.patientId ?? parseReference((c.resource as Coverage).beneficiary?.reference ?? '')?.id;
        if (pid && !covByPatient.has(pid)) covByPatient.set(pid, coverageLabel(c.resource as Coverage));
      }
      return {
        items: page.map((r) => {
          const p = r.resource as Patient;
          return { id: r.id, name: humanName(p.name) || r.id, birthDate: p.birthDate ?? null, gender: p.gender ?? null, coverage: covByPatient.get(r.id) ?? null };
        }),
        nextCursor: rows.length > limit && page.length ? encodeCursor(page[page.length - 1]!.id) : null,
      };
    },

    counts: () => countsByType(db),
  };
  return service;
}

/** The cheap checks before a single write (full validation runs inside the write). */
function assertValidResourceShape(resource: unknown): asserts resource is Resource {
  if (typeof resource !== 'object' || resource === null || typeof (resource as Resource).resourceType !== 'string') {
    assertValidResource(resource);
  }
  assertResourceType((resource as Resource).resourceType);
}
