/**
 * Runs compiled ELM with cql-execution 3 (async exec) over one patient Bundle through cql-exec-fhir's FHIR 4.0.1
 * data source. Expensive objects are built once per process: the FHIR model info (parsed from XML, ~0.3–1 s), the
 * CodeService with our value sets, and the cql.Library per catalog generation. An Executor is cheap and is made per
 * evaluation, so concurrent evaluations never share parameters.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import cql from 'cql-execution';
import type { Bundle, Resource } from '@medplum/fhirtypes';
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
const cqlFhir = createRequire(import.meta.url)('cql-exec-fhir') as CqlExecFhir;

let template: FhirPatientSource | null = null;
let wrapper: ReturnType<CqlExecFhir['FHIRWrapper']['FHIRv401']> | null = null;
let codeService: cql.CodeService | null = null;

/**
 * A one-patient data source. cql-exec-fhir's PatientSource parses the 2 MB model info on construction, so a
 * template is built once and each evaluation gets an object that inherits from it with its own bundle list and
 * cursor (the only per-evaluation state: `_bundles`, `_index`).
 */
export function patientSource(bundle: Bundle): FhirPatientSource {
  template ??= cqlFhir.PatientSource.FHIRv401();
  const ps = Object.create(template) as FhirPatientSource & { _bundles: Bundle[]; _index: number };
  ps._bundles = [bundle];
  ps._index = 0;
  return ps;
}

/** A FHIR resource as a CQL value (for "Order" / "Coverage" parameters). */
export function wrapResource(resource: Resource): unknown {
  wrapper ??= cqlFhir.FHIRWrapper.FHIRv401();
  return wrapper.wrap(resource, resource.resourceType);
}

/** Value set expansions of library/valuesets.json (keys starting with "_" are comments). */
export function getCodeService(): cql.CodeService {
  if (codeService) return codeService;
  const raw = JSON.parse(readFileSync(join(LIBRARY_DIR, 'valuesets.json'), 'utf8')) as Record<string, unknown>;
  const sets = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_')));
  codeService = new cql.CodeService(sets as ConstructorParameters<typeof cql.CodeService>[0]);
  return codeService;
}

/** Build a runnable library from ELM; `all` holds every ELM its includes may resolve to (exact name + version). */
export function loadLibrary(elm: Record<string, unknown>, all: Record<string, Record<string, unknown>>): cql.Library {
  return new cql.Library(elm, new cql.Repository(all));
}

/** Evaluate every Patient-context expression of `library` for the patient in `bundle`. */
export async function runLibrary(
  library: cql.Library,
  bundle: Bundle,
  parameters: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const executor = new cql.Executor(library, getCodeService(), parameters);
  const results = await executor.exec(patientSource(bundle) as unknown as Parameters<cql.Executor['exec']>[0]);
  const byPatient = (results.patientResults ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(byPatient)[0] ?? {};
}

/** A CQL/FHIR result value as plain JSON: FHIR objects as their JSON, dates as ISO strings, codes as {system, code}. */
export function toJsonSafe(value: unknown, depth = 0): unknown {
  if (value == null) return null;
  if (depth > 12) return '…';
  if (typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, depth + 1));
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
