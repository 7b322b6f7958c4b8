/**
 * Which FHIR resource types a set of libraries can read. CQL reads patient data only through Retrieve
 * (`[Condition: "Acute Sinusitis"]`), so the resources of any other type in a patient Bundle cannot change a
 * result: the CDS path hands the rule engine only the Patient and the retrieved types (a 280-resource Synthea
 * record shrinks to its Conditions; an order rule that retrieves nothing gets the Patient alone), which is less to
 * copy to a rule thread and less for cql-exec-fhir to index. A Retrieve this cannot pin to one base FHIR type (a
 * non-FHIR model, an abstract type, a profile outside the base spec) makes the answer "every type" (null).
 */
import type { Bundle } from '@medplum/fhirtypes';

const FHIR_NS = '{http://hl7.org/fhir}';
const BASE_PROFILE = 'http://hl7.org/fhir/StructureDefinition/';
const ABSTRACT = new Set(['Resource', 'DomainResource']);

type Elm = Record<string, unknown>;

/** Walks one ELM tree; false when a Retrieve's type cannot be pinned. */
function collect(node: unknown, into: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((n) => collect(n, into));
  if (!node || typeof node !== 'object') return true;
  const n = node as Record<string, unknown>;
  if (n.type === 'Retrieve') {
    const dataType = typeof n.dataType === 'string' ? n.dataType : '';
    const type = dataType.startsWith(FHIR_NS) ? dataType.slice(FHIR_NS.length) : '';
    const template = n.templateId;
    if (!/^[A-Z][A-Za-z]+$/.test(type) || ABSTRACT.has(type)) return false;
    if (template !== undefined && template !== `${BASE_PROFILE}${type}`) return false;
    into.add(type);
  }
  return Object.values(n).every((v) => collect(v, into));
}

function includesOf(elm: Elm): string[] {
  const lib = elm.library as { includes?: { def?: { path?: string }[] } } | undefined;
  return (lib?.includes?.def ?? []).map((d) => d.path ?? '').filter(Boolean);
}

/**
 * The resource types `names` (and every library they include, by name in `all`) retrieve, always with Patient
 * (the patient context needs it); null when any of them might read something else, or an include is unknown.
 */
export function retrievedTypes(names: readonly string[], all: Record<string, Elm>): Set<string> | null {
  const types = new Set<string>(['Patient']);
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const elm = all[name];
    if (!elm || !collect(elm, types)) return null;
    queue.push(...includesOf(elm));
  }
  return types;
}

const slimmed = new WeakMap<Bundle, Map<string, Bundle>>();

/**
 * `bundle` with only the resources of `types` (same entry objects, same order); the Bundle itself when nothing
 * would be dropped or `types` is null. Memoised per Bundle and type set, so every order of a call gets the same
 * object (execute.ts wraps a Bundle's patient once per object).
 */
export function onlyTypes(bundle: Bundle, types: Set<string> | null): Bundle {
  if (!types) return bundle;
  const entries = bundle.entry ?? [];
  if (entries.every((e) => types.has(e.resource?.resourceType ?? ''))) return bundle;
  const kept = entries.filter((e) => types.has(e.resource?.resourceType ?? ''));
  const key = [...types].sort().join(',');
  let byKey = slimmed.get(bundle);
  const hit = byKey?.get(key);
  if (hit && hit.entry!.length === kept.length && kept.every((e, i) => hit.entry![i] === e)) return hit;
  const out: Bundle = { resourceType: 'Bundle', type: bundle.type, entry: kept };
  if (!byKey) slimmed.set(bundle, (byKey = new Map()));
  byKey.set(key, out);
  return out;
}
