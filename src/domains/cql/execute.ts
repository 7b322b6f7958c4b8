/**
 * Runs compiled ELM with cql-execution 3 (async exec) over one patient Bundle through cql-exec-fhir's FHIR 4.0.1
 * data source. Expensive objects are built once per process: the FHIR model info (parsed from XML, ~0.3–1 s), the
 * CodeService with our value sets, and the cql.Library per catalog generation. The wrapped patient is built once per
 * Bundle object and shared by the libraries run on it. An Executor is cheap and is made per evaluation, so
 * concurrent evaluations never share parameters.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type CqlModule from 'cql-execution';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { CompiledServices } from './compiled/index.ts';
import type { ModelInfo as CompiledModelInfo } from './compiled/types.ts';
import { installFastDistinct } from './distinct.ts';
import { LIBRARY_DIR } from './translate.ts';

/** The parts of cql-exec-fhir we use (its own typings are an ambient module declaration). */
interface FhirPatientSource {
  currentPatient(): unknown;
  nextPatient(): unknown;
}
interface CqlExecFhir {
  PatientSource: { FHIRv401(options?: { requireProfileTagging?: boolean }): FhirPatientSource };
  FHIRWrapper: { FHIRv401(): { wrap(json: unknown, type?: string): unknown } };
}

// cql-execution and cql-exec-fhir (~0.5 s to load) are required on first use, not at import: processes that never
// evaluate a rule (most CLI commands, a server before its first CDS call) never load them
let cqlLoaded: typeof CqlModule | null = null;
let cqlFhirLoaded: CqlExecFhir | null = null;
function cqlLib(): typeof CqlModule {
  if (cqlLoaded) return cqlLoaded;
  cqlLoaded = createRequire(import.meta.url)('cql-execution') as typeof CqlModule;
  installFastDistinct(); // exact, cheaper `distinct` for lists of FHIR resources (distinct.ts)
  return cqlLoaded;
}
function cqlFhirLib(): CqlExecFhir {
  cqlLib();
  return (cqlFhirLoaded ??= createRequire(import.meta.url)('cql-exec-fhir') as CqlExecFhir);
}

let template: FhirPatientSource | null = null;
let wrapper: FhirWrapper | null = null;
let codeService: CqlModule.CodeService | null = null;
/** Value set URL → its codes (the CodeService is built once per process, so this never goes stale). */
const valueSetCache = new Map<string, readonly string[] | null>();

interface ModelInfo {
  findClass(name: string): unknown;
}
type FhirWrapper = ReturnType<CqlExecFhir['FHIRWrapper']['FHIRv401']>;

/** ModelInfo.findClass tries label, identifier and two name spellings on every FHIRObject built; memoise its answers. */
function memoiseFindClass(owner: object): void {
  const mi = (owner as { _modelInfo?: ModelInfo })._modelInfo;
  if (!mi) return;
  const find = mi.findClass.bind(mi);
  const cache = new Map<string, unknown>();
  mi.findClass = (name) => {
    if (cache.has(name)) return cache.get(name);
    const found = find(name);
    cache.set(name, found);
    return found;
  };
}

/**
 * FHIRObject.get(field) builds new FHIRObjects for the element on every read, and rules read the same elements
 * many times (TablePolicy reads Coverage.class once per policy row). Memoise each object's reads: the objects are
 * read-only views of the JSON, so a second read returns the same value (lists as a fresh array, in case the
 * engine sorts one in place).
 */
function memoiseGet(proto: { get(field: string): unknown }): void {
  if (Object.prototype.hasOwnProperty.call(proto, '__sagebrushMemo')) return;
  const get = proto.get;
  const memo = new WeakMap<object, Map<string, unknown>>();
  proto.get = function memoisedGet(this: object, field: string): unknown {
    let fields = memo.get(this);
    if (!fields) {
      fields = new Map();
      memo.set(this, fields);
    }
    let value: unknown;
    if (fields.has(field)) value = fields.get(field);
    else {
      value = get.call(this, field);
      fields.set(field, value);
    }
    return Array.isArray(value) ? value.slice() : value;
  };
  Object.defineProperty(proto, '__sagebrushMemo', { value: true });
}

function fhirWrapper(): FhirWrapper {
  const w = cqlFhirLib().FHIRWrapper.FHIRv401();
  memoiseFindClass(w);
  memoiseGet(Object.getPrototypeOf(w.wrap({ resourceType: 'Patient' })) as { get(field: string): unknown });
  return w;
}

function fhirPatientTemplate(): FhirPatientSource {
  wrapper ??= fhirWrapper(); // patches FHIRObject.prototype.get, which the Patient records inherit
  const t = cqlFhirLib().PatientSource.FHIRv401();
  memoiseFindClass(t);
  return t;
}

/** cql-exec-fhir's Patient record: what a Retrieve reads through. */
interface FhirPatient {
  findRecords(profile: string, retrieveDetails?: { datatype?: string }): unknown[];
}

interface SharedPatient {
  patient: FhirPatient;
  /** The Bundle's resources when the patient was built: a reuse is valid only while they are the same objects. */
  resources: unknown[];
}

/** One wrapped patient per Bundle object, shared by every library run on it (weak: dropped with the Bundle). */
const sharedPatients = new WeakMap<Bundle, SharedPatient>();

function sameResources(before: unknown[], entries: readonly { resource?: unknown }[]): boolean {
  if (before.length !== entries.length) return false;
  for (let i = 0; i < before.length; i++) if (before[i] !== entries[i]?.resource) return false;
  return true;
}

/**
 * The cql-exec-fhir Patient for `bundle`, built once per Bundle object. cql-exec-fhir wraps every resource of a
 * type again on each Retrieve (a FHIRObject defines a getter per element), so the Patient's `findRecords` is
 * memoised per type/profile: libraries run for the same order (and later calls with the identical, unchanged
 * Bundle) share the wrapped resources. FHIRObjects are read-only views over the JSON, so sharing them is safe;
 * each Retrieve still gets its own array.
 */
export function sharedPatient(bundle: Bundle): FhirPatient | undefined {
  const entries = bundle.entry ?? [];
  const hit = sharedPatients.get(bundle);
  if (hit && sameResources(hit.resources, entries)) return hit.patient;
  template ??= fhirPatientTemplate();
  // PatientSource parses the 2 MB model info on construction: inherit from one template, with this bundle list.
  const ps = Object.create(template) as FhirPatientSource & { _bundles: Bundle[]; _index: number };
  ps._bundles = [bundle];
  ps._index = 0;
  const patient = ps.currentPatient() as FhirPatient | undefined;
  if (!patient) return undefined;
  const findRecords = patient.findRecords.bind(patient);
  const cache = new Map<string, unknown[]>();
  patient.findRecords = (profile, retrieveDetails) => {
    const key = `${retrieveDetails?.datatype ?? ''}|${profile}`;
    let records = cache.get(key);
    if (!records) {
      records = findRecords(profile, retrieveDetails);
      cache.set(key, records);
    }
    return records.slice();
  };
  sharedPatients.set(bundle, { patient, resources: entries.map((e) => e.resource) });
  return patient;
}

/** A one-patient data source over the shared Patient of `bundle` (a source is a cursor, so one per evaluation). */
export function patientSource(bundle: Bundle): FhirPatientSource {
  let current = sharedPatient(bundle);
  return {
    currentPatient: () => current,
    nextPatient: () => (current = undefined),
  };
}

/** A FHIR resource as a CQL value (for "Order" / "Coverage" parameters). */
export function wrapResource(resource: Resource): unknown {
  wrapper ??= fhirWrapper();
  return wrapper.wrap(resource, resource.resourceType);
}

/** The codes of a value set in the CodeService (every version) as {system, code}, or null when it has none by that URL. */
export function valueSetCodings(url: string): readonly { system: unknown; code: unknown }[] | null {
  const sets = getCodeService().findValueSetsByOid(url);
  return sets.length === 0 ? null : sets.flatMap((vs) => vs.codes.map((c) => ({ system: c.system as unknown, code: c.code as unknown })));
}

/** The codes alone (as strings), memoised: applicability checks read them on every call. */
export function valueSetCodes(url: string): readonly string[] | null {
  if (valueSetCache.has(url)) return valueSetCache.get(url) ?? null;
  const codes = valueSetCodings(url)?.map((c) => String(c.code)) ?? null;
  valueSetCache.set(url, codes);
  return codes;
}

/** Value set expansions of library/valuesets.json (keys starting with "_" are comments). */
export function getCodeService(): CqlModule.CodeService {
  if (codeService) return codeService;
  const cql = cqlLib();
  const raw = JSON.parse(readFileSync(join(LIBRARY_DIR, 'valuesets.json'), 'utf8')) as Record<string, unknown>;
  const sets = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_')));
  codeService = new cql.CodeService(sets as ConstructorParameters<typeof CqlModule.CodeService>[0]);
  return codeService;
}

/** What the compiled evaluator (compiled/) reads through this module: cql-exec-fhir's model info, our value sets. */
export const compiledServices: CompiledServices = {
  modelInfo: () => ((wrapper ??= fhirWrapper()) as unknown as { _modelInfo: CompiledModelInfo })._modelInfo,
  findValueSet: (id, version) => getCodeService().findValueSet(id, version),
};

/** Build a runnable library from ELM; `all` holds every ELM its includes may resolve to (exact name + version). */
export function loadLibrary(elm: Record<string, unknown>, all: Record<string, Record<string, unknown>>): CqlModule.Library {
  const cql = cqlLib();
  return new cql.Library(elm, new cql.Repository(all));
}

/** Evaluate every Patient-context expression of `library` for the patient in `bundle`. */
export async function runLibrary(
  library: CqlModule.Library,
  bundle: Bundle,
  parameters: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const executor = new (cqlLib().Executor)(library, getCodeService(), parameters);
  const results = await executor.exec(patientSource(bundle) as unknown as Parameters<CqlModule.Executor['exec']>[0]);
  const byPatient = (results.patientResults ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(byPatient)[0] ?? {};
}

/**
 * Evaluate only the Patient-context expressions `names` (and whatever they reference, on demand) in one patient
 * context — what the CDS path needs ("Decision", "Billing Codes"; "Findings"), where `runLibrary` evaluates every
 * define of the library. CQL expressions have no side effects and each define is cached in the context, so a
 * named expression's value is the same as in a full run; unnamed defines ("Patient", helpers nothing reads) are
 * simply never computed. Absent names are left out, as a full run would not have them either.
 */
export async function runExpressions(
  library: CqlModule.Library,
  bundle: Bundle,
  parameters: Record<string, unknown>,
  names: readonly string[],
): Promise<Record<string, unknown>> {
  const cql = cqlLib();
  const patient = sharedPatient(bundle);
  const out: Record<string, unknown> = {};
  if (!patient) return out;
  const ctx = new cql.PatientContext(library, patient as unknown as ConstructorParameters<typeof cql.PatientContext>[1], getCodeService(), parameters);
  for (const name of names) {
    const expr = library.expressions[name] as (CqlModule.Expression & { context?: string }) | undefined;
    if (expr && expr.context === 'Patient') out[name] = await expr.execute(ctx);
  }
  return out;
}

/** A CQL/FHIR result value as plain JSON: FHIR objects as their JSON, dates as ISO strings, codes as {system, code}. */
export function toJsonSafe(value: unknown, depth = 0): unknown {
  if (value == null) return null;
  if (depth > 12) return '…';
  if (typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, depth + 1));
  const cql = cqlLib();
  if (value instanceof cql.DateTime || value instanceof cql.Date) return value.toString();
  const v = value as Record<string, unknown>;
  if ('_json' in v) return v._json; // cql-exec-fhir FHIRObject
  if (value instanceof cql.Interval) {
    return { low: toJsonSafe(value.low, depth + 1), high: toJsonSafe(value.high, depth + 1), lowClosed: value.lowClosed, highClosed: value.highClosed };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('_') || typeof x === 'function') continue;
    const j = toJsonSafe(x, depth + 1);
    if (j !== undefined) out[k] = j;
  }
  return out;
}
