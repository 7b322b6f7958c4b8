/**
 * What a set of libraries can read of a patient Bundle. CQL reads patient data only through Retrieve
 * (`[Condition: "Acute Sinusitis"]`), so a resource no Retrieve of the libraries can return cannot change a result:
 * the CDS path hands the rule engine only the Patient and those resources. Two cuts, both exact:
 * - by type: only the retrieved types (a 280-resource Synthea record shrinks to its Conditions; an order rule that
 *   retrieves nothing gets the Patient alone);
 * - by code: when every Retrieve of a type filters by a value set the engine knows (`[Condition: "Acute
 *   Sinusitis"]`), a resource whose coding at that property is in none of those value sets is never returned
 *   (cql-execution's Retrieve keeps a record only when one of its codings equals a value-set code in code and
 *   system), so it is left out too. A Synthea patient's dozens of Conditions shrink to the few that can match.
 * Less to copy to a rule thread and less for cql-exec-fhir to wrap (its FHIR objects cost most of an evaluation).
 * Anything this cannot decide keeps the data: a Retrieve not pinned to one base FHIR type (a non-FHIR model, an
 * abstract type, a profile outside the base spec) means the whole Bundle (null); a Retrieve without codes, with
 * codes other than a value set reference, with an unknown value set, or a property whose JSON is not a
 * CodeableConcept keeps every resource of that type.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';

const FHIR_NS = '{http://hl7.org/fhir}';
const BASE_PROFILE = 'http://hl7.org/fhir/StructureDefinition/';
const ABSTRACT = new Set(['Resource', 'DomainResource']);

type Elm = Record<string, unknown>;

/** A value set's codes in the engine's CodeService (every version), or null when it does not know the URL. */
export type ValueSetCodings = (url: string) => readonly { system: unknown; code: unknown }[] | null;

/** Which resources of one type a Retrieve can return: all of them, or those with a coding of `codes` at `property`. */
export type TypeFilter = { all: true } | { all: false; property: string; codes: ReadonlySet<string> };

/** The types the libraries retrieve (Patient always), each with its filter; `id` tells plans apart for memoising. */
export interface RetrievalPlan {
  id: string;
  types: ReadonlyMap<string, TypeFilter>;
}

const ALL: TypeFilter = { all: true };
const codeKey = (system: string, code: string) => `${system}\u0000${code}`;

interface LibraryScope {
  elm: Elm;
  all: Record<string, Elm>;
  valueSets: ValueSetCodings;
}

function defs(elm: Elm | undefined, section: string): Record<string, unknown>[] {
  const lib = elm?.library as Record<string, { def?: Record<string, unknown>[] } | undefined> | undefined;
  return lib?.[section]?.def ?? [];
}

/** The codes of a `ValueSetRef` (local or through an include alias), or null when they cannot be known here. */
function valueSetRefCodes(ref: Record<string, unknown>, scope: LibraryScope): Set<string> | null {
  let owner: Elm | undefined = scope.elm;
  if (typeof ref.libraryName === 'string') {
    const include = defs(scope.elm, 'includes').find((d) => d.localIdentifier === ref.libraryName);
    owner = typeof include?.path === 'string' ? scope.all[include.path] : undefined;
  }
  const def = defs(owner, 'valueSets').find((d) => d.name === ref.name);
  if (typeof def?.id !== 'string') return null;
  const codings = scope.valueSets(def.id);
  if (!codings) return null;
  const out = new Set<string>();
  for (const c of codings) {
    // cql-execution compares code and system with ===: only string pairs can be matched by a JSON coding's key
    if (typeof c.system !== 'string' || typeof c.code !== 'string') return null;
    out.add(codeKey(c.system, c.code));
  }
  return out;
}

/** What one Retrieve can return of its type. */
function retrieveFilter(n: Record<string, unknown>, scope: LibraryScope): TypeFilter {
  const codes = n.codes as Record<string, unknown> | undefined;
  if (!codes) return ALL;
  if (codes.type !== 'ValueSetRef' || typeof n.codeProperty !== 'string' || n.codeProperty.includes('.')) return ALL;
  const set = valueSetRefCodes(codes, scope);
  return set ? { all: false, property: n.codeProperty, codes: set } : ALL;
}

function merge(a: TypeFilter | undefined, b: TypeFilter): TypeFilter {
  if (!a) return b;
  if (a.all || b.all || a.property !== b.property) return ALL;
  return { all: false, property: a.property, codes: new Set([...a.codes, ...b.codes]) };
}

/** Walks one ELM tree; false when a Retrieve's type cannot be pinned. */
function collect(node: unknown, into: Map<string, TypeFilter>, scope: LibraryScope): boolean {
  if (Array.isArray(node)) return node.every((n) => collect(n, into, scope));
  if (!node || typeof node !== 'object') return true;
  const n = node as Record<string, unknown>;
  if (n.type === 'Retrieve') {
    const dataType = typeof n.dataType === 'string' ? n.dataType : '';
    const type = dataType.startsWith(FHIR_NS) ? dataType.slice(FHIR_NS.length) : '';
    const template = n.templateId;
    if (!/^[A-Z][A-Za-z]+$/.test(type) || ABSTRACT.has(type)) return false;
    if (template !== undefined && template !== `${BASE_PROFILE}${type}`) return false;
    into.set(type, type === 'Patient' ? ALL : merge(into.get(type), retrieveFilter(n, scope)));
  }
  return Object.values(n).every((v) => collect(v, into, scope));
}

function includesOf(elm: Elm): string[] {
  return defs(elm, 'includes').map((d) => (typeof d.path === 'string' ? d.path : '')).filter(Boolean);
}

let plans = 0;

/**
 * What `names` (and every library they include, by name in `all`) can retrieve, always with the whole Patient (the
 * patient context needs it); null when any of them might read something else, or an include is unknown.
 */
export function retrievalPlan(names: readonly string[], all: Record<string, Elm>, valueSets: ValueSetCodings): RetrievalPlan | null {
  const types = new Map<string, TypeFilter>([['Patient', ALL]]);
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const elm = all[name];
    if (!elm || !collect(elm, types, { elm, all, valueSets })) return null;
    queue.push(...includesOf(elm));
  }
  plans += 1;
  return { id: String(plans), types };
}

/** False only when the resource's CodeableConcept at the filter's property has no coding in its codes. */
function mayMatch(resource: Resource, filter: TypeFilter): boolean {
  if (filter.all) return true;
  const value = (resource as unknown as Record<string, unknown>)[filter.property];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return true; // not a CodeableConcept: keep
  const coding = (value as { coding?: unknown }).coding;
  if (!Array.isArray(coding)) return true;
  return coding.some((c) => {
    if (!c || typeof c !== 'object') return true;
    const { system, code } = c as { system?: unknown; code?: unknown };
    return typeof system === 'string' && typeof code === 'string' && filter.codes.has(codeKey(system, code));
  });
}

const slimmed = new WeakMap<Bundle, Map<string, Bundle>>();

/**
 * `bundle` with only what `plan` can retrieve (same entry objects, same order); the Bundle itself when nothing would
 * be dropped or `plan` is null. Memoised per Bundle and plan, so every order of a call gets the same object
 * (execute.ts wraps a Bundle's patient once per object).
 */
export function retrievable(bundle: Bundle, plan: RetrievalPlan | null): Bundle {
  if (!plan) return bundle;
  const entries = bundle.entry ?? [];
  const keep = (e: (typeof entries)[number]) => {
    const r = e.resource;
    const filter = r ? plan.types.get(r.resourceType) : undefined;
    return filter !== undefined && mayMatch(r!, filter);
  };
  const kept = entries.filter(keep);
  if (kept.length === entries.length) return bundle;
  let byPlan = slimmed.get(bundle);
  const hit = byPlan?.get(plan.id);
  if (hit && hit.entry!.length === kept.length && kept.every((e, i) => hit.entry![i] === e)) return hit;
  const out: Bundle = { resourceType: 'Bundle', type: bundle.type, entry: kept };
  if (!byPlan) slimmed.set(bundle, (byPlan = new Map()));
  byPlan.set(plan.id, out);
  return out;
}

