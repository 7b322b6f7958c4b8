/**
 * Which order libraries can have an opinion on a draft order, decided in TypeScript before any CQL runs: a library
 * that cannot match the order is skipped (its "Decision" would be null anyway). A declaration may only narrow a
 * library's scope to orders for which its "Decision" can be non-null; a library without a declaration runs for every
 * order (the safe default), and the catalog's `test` runs the chosen library regardless.
 *
 * Built-ins are declared here. An uploaded library declares its scope in a CQL comment holding one line of JSON:
 *   // @appliesTo {"resourceTypes": ["MedicationRequest"], "valueSets": ["http://example.org/ValueSet/x"]}
 * An unreadable declaration is ignored (the library runs for every order).
 */
import type { Coding, Coverage, Resource } from '@medplum/fhirtypes';
import type { PolicyRow } from './types.ts';

export interface AppliesTo {
  /** Order resource types the rule can decide on (absent: any type). */
  resourceTypes?: string[];
  /** Value set URLs (as in library/valuesets.json): the order carries a code of one of them. */
  valueSets?: string[];
  /** Explicit codes (system optional: any system). */
  codes?: { system?: string; code: string }[];
  /** The order carries a code of a policy-table row for the coverage's plan (or a '*' row). */
  policyTable?: boolean;
}

/**
 * The built-in order rules. AmoxicillinPriorAuth's "Decision" is null unless an order code is in the amoxicillin
 * value set; TablePolicy's is null unless a policy row matches the plan and an order code ("Matching Rows").
 */
export const BUILTIN_APPLIES_TO: Readonly<Record<string, AppliesTo>> = {
  AmoxicillinPriorAuth: { valueSets: ['http://sagebrush.local/fhir/ValueSet/amoxicillin-oral'] },
  TablePolicy: { policyTable: true },
};

const ANNOTATION = /@appliesTo[ \t]*(\{[^\n]*\})/;

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** A declaration from JSON, or null when it is not one (then the library runs for every order). */
export function parseAppliesTo(value: unknown): AppliesTo | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const out: AppliesTo = {};
  for (const key of ['resourceTypes', 'valueSets'] as const) {
    if (v[key] === undefined) continue;
    const list = stringList(v[key]);
    if (!list) return null;
    out[key] = list;
  }
  if (v.codes !== undefined) {
    if (!Array.isArray(v.codes)) return null;
    const codes: { system?: string; code: string }[] = [];
    for (const c of v.codes as unknown[]) {
      const cc = c as { system?: unknown; code?: unknown } | null;
      if (!cc || typeof cc.code !== 'string' || (cc.system !== undefined && typeof cc.system !== 'string')) return null;
      codes.push({ code: cc.code, ...(typeof cc.system === 'string' ? { system: cc.system } : {}) });
    }
    out.codes = codes;
  }
  if (v.policyTable !== undefined) {
    if (typeof v.policyTable !== 'boolean') return null;
    out.policyTable = v.policyTable;
  }
  return Object.keys(out).length ? out : null;
}

/** The declaration of a catalog library: built-ins from the table above, uploads from their `@appliesTo` comment. */
export function appliesToOf(lib: { name: string; builtin: boolean; cql: string | null }): AppliesTo | null {
  if (lib.builtin) return BUILTIN_APPLIES_TO[lib.name] ?? null;
  const m = lib.cql ? ANNOTATION.exec(lib.cql) : null;
  if (!m?.[1]) return null;
  try {
    return parseAppliesTo(JSON.parse(m[1]));
  } catch {
    return null;
  }
}

/**
 * Every coding an order carries where CoverageCommon."Order Codes" looks (MedicationRequest.medication[x],
 * ServiceRequest.code, DeviceRequest.code[x]), read from any resource type so the set is never smaller than CQL's.
 */
export function orderCodings(order: Resource): Coding[] {
  const r = order as { medicationCodeableConcept?: { coding?: Coding[] }; code?: { coding?: Coding[] }; codeCodeableConcept?: { coding?: Coding[] } };
  return [...(r.medicationCodeableConcept?.coding ?? []), ...(Array.isArray(r.code?.coding) ? r.code.coding : []), ...(r.codeCodeableConcept?.coding ?? [])];
}

/** Lower-cased plan keys of a Coverage: value and name of every class whose type has the code "plan" (a superset of CQL's "Is Plan"). */
export function planKeys(coverage: Coverage | null): Set<string> {
  const keys = new Set<string>();
  for (const c of coverage?.class ?? []) {
    if (!c.type?.coding?.some((x) => x.code === 'plan')) continue;
    if (c.value) keys.add(c.value.toLowerCase());
    if (c.name) keys.add(c.name.toLowerCase());
  }
  return keys;
}

export interface ApplicabilityContext {
  order: Resource;
  coverage: Coverage | null;
  policy: readonly PolicyRow[];
  /** The codes of a value set (all versions), or null when the value set is unknown. */
  valueSetCodes(url: string): readonly string[] | null;
}

/** False only when the declaration rules the order out; value-set codes match by code alone (never narrower than CQL). */
export function applies(decl: AppliesTo | null, ctx: ApplicabilityContext): boolean {
  if (!decl) return true;
  if (decl.resourceTypes && !decl.resourceTypes.includes(ctx.order.resourceType)) return false;
  const hasCodeCriteria = decl.valueSets !== undefined || decl.codes !== undefined || decl.policyTable === true;
  if (!hasCodeCriteria) return true;
  const codings = orderCodings(ctx.order).filter((c) => typeof c.code === 'string');
  if (codings.length === 0) return false;
  for (const url of decl.valueSets ?? []) {
    const codes = ctx.valueSetCodes(url);
    if (codes === null) return true; // unknown value set: let CQL decide
    if (codings.some((c) => codes.includes(c.code as string))) return true;
  }
  if (decl.codes?.some((d) => codings.some((c) => c.code === d.code && (d.system === undefined || c.system === d.system)))) return true;
  if (decl.policyTable) {
    const plans = planKeys(ctx.coverage);
    const hit = ctx.policy.some((row) => (row.plan === '*' || plans.has(row.plan.toLowerCase())) && codings.some((c) => c.code === row.code && c.system === row.system));
    if (hit) return true;
  }
  return false;
}
