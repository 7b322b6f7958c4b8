/**
 * The payer rule engine: runs every enabled order library for a draft order and merges their "Decision" tuples
 * into one CRD coverage decision (most restrictive wins), runs patient libraries' "Findings" for patient-view, and
 * exposes the catalog (CRUD, compile, test, policy table). Missing coverage follows CRD's fixed outcome. Order
 * libraries whose declared scope (applicability.ts) rules the order out are not run; `test` always runs its library.
 */
import type { Kysely } from 'kysely';
import type { Bundle, Coding, Coverage, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import type { FhirDataSource } from '../fhir/source.ts';
import { createLibraryRegistry } from './catalog.ts';
import { applies, appliesToOf } from './applicability.ts';
import { runLibrary, toJsonSafe, valueSetCodes, wrapResource } from './execute.ts';
import { defaultPolicyRows, policyParameter, validatePolicy } from './policy.ts';
import { readPolicy, writePolicy, type StoredLibrary } from './store.ts';
import type {
  CoverageDecision,
  CoveredCode,
  DocNeededCode,
  DocPurposeCode,
  InfoNeededCode,
  PaNeededCode,
  PatientViewFinding,
  PolicyRow,
  RuleService,
  RuleTestInput,
} from './types.ts';

export interface RuleEngineDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Reads a stored patient's Bundle for `test({patientId})`; optional (tests without a FHIR store pass a Bundle). */
  fhir?: FhirDataSource | (() => FhirDataSource | undefined);
}

const COVERED: readonly CoveredCode[] = ['covered', 'not-covered', 'conditional', 'indeterminate'];
const PA: readonly PaNeededCode[] = ['no-auth', 'auth-needed', 'satisfied', 'performpa', 'conditional', 'indeterminate'];
const DOC: readonly DocNeededCode[] = ['clinical', 'admin', 'patient', 'conditional', 'indeterminate'];
const PURPOSE: readonly DocPurposeCode[] = ['withpa', 'withclaim', 'withorder', 'retain-doc', 'OTH'];
const INFO: readonly InfoNeededCode[] = ['performer', 'location', 'timeframe', 'contract-window', 'detail-code', 'OTH'];

/** not-covered > auth-needed > conditional > indeterminate > doc-needed > no-auth. */
export function restrictiveness(d: Pick<CoverageDecision, 'covered' | 'paNeeded' | 'docNeeded'>): number {
  if (d.covered === 'not-covered') return 6;
  if (d.paNeeded === 'auth-needed' || d.paNeeded === 'performpa') return 5;
  if (d.covered === 'conditional' || d.paNeeded === 'conditional') return 4;
  if (d.covered === 'indeterminate' || d.paNeeded === 'indeterminate') return 3;
  if (d.docNeeded && d.docNeeded.length > 0) return 2;
  return 1;
}

export function truncate(text: string, max = 140): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function list<T extends string>(value: unknown, allowed: readonly T[]): T[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return [...new Set(items.map((s) => s.trim()).filter((s): s is T => (allowed as readonly string[]).includes(s)))];
}

function codingOf(order: Resource): Coding | undefined {
  const r = order as { medicationCodeableConcept?: { coding?: Coding[]; text?: string }; code?: { coding?: Coding[]; text?: string }; codeCodeableConcept?: { coding?: Coding[] } };
  const cc = r.medicationCodeableConcept ?? r.code ?? r.codeCodeableConcept;
  return cc?.coding?.[0];
}

/** "amoxicillin 250 MG Oral Capsule" / "MRI lumbar spine" / "MedicationRequest" — what the summary names. */
export function orderLabel(order: Resource): string {
  const r = order as { medicationCodeableConcept?: { text?: string }; code?: { text?: string } };
  const text = r.medicationCodeableConcept?.text ?? r.code?.text;
  const c = codingOf(order);
  return text ?? c?.display ?? (c?.code ? `code ${c.code}` : order.resourceType);
}

/** "Acme Gold" from Coverage.class (type plan) name/value, else the payor's display. */
export function planLabel(coverage: Coverage | null): string | null {
  if (!coverage) return null;
  const plan = coverage.class?.find((c) => c.type?.coding?.some((x) => x.code === 'plan'));
  return plan?.name ?? plan?.value ?? coverage.payor?.[0]?.display ?? null;
}

/** CRD resp-43..45: no (active) coverage ⇒ not-covered with reason coverage-not-found. */
export function noCoverageDecision(order: Resource): CoverageDecision {
  return {
    covered: 'not-covered',
    reasons: [{ code: 'coverage-not-found', text: 'No active Coverage was found for the patient, so no payer rule can apply.' }],
    summary: truncate(`No active coverage on record: ${orderLabel(order)} cannot be checked against a plan`),
    detail: 'The patient has no active Coverage (or none was sent). Per Da Vinci CRD the answer is *not-covered* with reason `coverage-not-found`; add or activate the Coverage and order again.',
    rules: [],
  };
}

/** CRD resp-43..45: an inactive Coverage ⇒ not-covered / no-active-coverage; no Patient ⇒ not-covered / no-member-found. */
export function fixedOutcome(order: Resource, reason: 'no-active-coverage' | 'no-member-found'): CoverageDecision {
  const text = reason === 'no-active-coverage' ? 'The Coverage sent is not active.' : 'The patient data has no Patient resource, so the member cannot be identified.';
  return {
    covered: 'not-covered',
    reasons: [{ code: reason, text }],
    summary: truncate(reason === 'no-active-coverage' ? `Coverage is not active: ${orderLabel(order)} cannot be checked against a plan` : `Member not found: ${orderLabel(order)} cannot be checked`),
    detail: `${text} Per Da Vinci CRD the answer is *not-covered* with reason \`${reason}\`.`,
    rules: [],
  };
}

/** CRD: a technical failure ⇒ indeterminate with reason technical. */
export function technicalDecision(order: Resource, error: string): CoverageDecision {
  return {
    covered: 'indeterminate',
    paNeeded: 'indeterminate',
    reasons: [{ code: 'technical', text: error }],
    summary: truncate(`Coverage requirements for ${orderLabel(order)} could not be determined`),
    detail: `The payer rules failed to run: ${error}`,
    rules: [],
  };
}

interface LibraryDecision {
  lib: StoredLibrary;
  decision: CoverageDecision;
  reason: string;
}

/** A library's "Decision" tuple → CoverageDecision (null tuple = the rule does not apply to this order). */
export function decisionFromTuple(tuple: unknown, lib: { name: string; version: string }, order: Resource, coverage: Coverage | null, billing: Coding[]): CoverageDecision | null {
  if (tuple == null || typeof tuple !== 'object') return null;
  const t = tuple as Record<string, unknown>;
  const covered = (COVERED as readonly string[]).includes(String(t.covered)) ? (t.covered as CoveredCode) : 'indeterminate';
  const paNeeded = (PA as readonly string[]).includes(String(t.paNeeded)) ? (t.paNeeded as PaNeededCode) : undefined;
  const docNeeded = list(t.docNeeded, DOC);
  const docPurpose = list(t.docPurpose, PURPOSE);
  const infoNeeded = list(t.infoNeeded, INFO);
  const reason = typeof t.reason === 'string' && t.reason ? t.reason : `${lib.name} decided ${covered}${paNeeded ? ` / ${paNeeded}` : ''}`;
  const plan = planLabel(coverage);
  const fallback = paNeeded === 'auth-needed' ? 'Prior authorization required' : covered === 'not-covered' ? 'Not covered' : docNeeded.length ? 'Documentation required' : 'No prior authorization needed';
  const summary = typeof t.summary === 'string' && t.summary ? t.summary : `${fallback} for ${orderLabel(order)}${plan ? ` (${plan} plan)` : ''}`;
  return {
    covered,
    ...(paNeeded ? { paNeeded } : {}),
    ...(docNeeded.length ? { docNeeded } : {}),
    ...(docPurpose.length ? { docPurpose } : {}),
    ...(infoNeeded.length ? { infoNeeded } : {}),
    ...(billing.length ? { billingCodes: billing } : {}),
    reasons: [{ text: reason }],
    summary: truncate(summary),
    rules: [{ library: lib.name, version: lib.version, expression: 'Decision' }],
  };
}

function billingCodes(results: Record<string, unknown>): Coding[] {
  const raw = toJsonSafe(results['Billing Codes']);
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((c): c is { code: string; system?: string; display?: string } => !!c && typeof c === 'object' && typeof (c as { code?: unknown }).code === 'string')
    .map((c) => ({ system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) }));
}

/** Most restrictive decision wins; lists (docs, info, billing codes, reasons, rules) are merged. */
export function mergeDecisions(items: LibraryDecision[], order: Resource, coverage: Coverage | null): CoverageDecision {
  const plan = planLabel(coverage);
  const label = orderLabel(order);
  if (items.length === 0) {
    return {
      covered: 'covered',
      paNeeded: 'no-auth',
      reasons: [{ text: 'No enabled payer rule has a requirement for this order.' }],
      summary: truncate(`No prior authorization or documentation requirements for ${label}${plan ? ` (${plan} plan)` : ''}`),
      detail: `No enabled order rule applies to **${label}**${plan ? ` on the ${plan} plan` : ''}.`,
      rules: [],
    };
  }
  const sorted = [...items].sort((a, b) => restrictiveness(b.decision) - restrictiveness(a.decision));
  const top = sorted[0] as LibraryDecision;
  const uniq = <T>(xs: T[], key: (x: T) => string): T[] => [...new Map(xs.map((x) => [key(x), x])).values()];
  const docNeeded = uniq(sorted.flatMap((i) => i.decision.docNeeded ?? []), (x) => x);
  const docPurpose = uniq(sorted.flatMap((i) => i.decision.docPurpose ?? []), (x) => x);
  const infoNeeded = uniq(sorted.flatMap((i) => i.decision.infoNeeded ?? []), (x) => x);
  const billing = uniq(sorted.flatMap((i) => i.decision.billingCodes ?? []), (c) => `${c.system}|${c.code}`);
  const detail = [
    `**${label}**${plan ? ` — ${plan} plan` : ''}: ${top.decision.summary}`,
    '',
    ...sorted.map((i) => {
      const d = i.decision;
      const codes = [d.covered, d.paNeeded, d.docNeeded?.length ? `doc-needed: ${d.docNeeded.join(', ')}` : ''].filter(Boolean).join(' · ');
      return `- **${i.lib.name} ${i.lib.version}** (${codes}): ${i.reason}`;
    }),
  ].join('\n');
  return {
    covered: top.decision.covered,
    ...(top.decision.paNeeded ? { paNeeded: top.decision.paNeeded } : {}),
    ...(docNeeded.length ? { docNeeded } : {}),
    ...(docPurpose.length ? { docPurpose } : {}),
    ...(infoNeeded.length ? { infoNeeded } : {}),
    ...(billing.length ? { billingCodes: billing } : {}),
    reasons: uniq(sorted.flatMap((i) => i.decision.reasons), (r) => r.text),
    summary: top.decision.summary,
    detail,
    rules: sorted.flatMap((i) => i.decision.rules),
  };
}

function findings(value: unknown, library: string): PatientViewFinding[] {
  const raw = toJsonSafe(value);
  const items = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  return items
    .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object' && typeof (f as { summary?: unknown }).summary === 'string')
    .map((f) => ({
      summary: truncate(String(f.summary)),
      ...(typeof f.detail === 'string' ? { detail: f.detail } : {}),
      indicator: f.indicator === 'warning' || f.indicator === 'critical' ? f.indicator : 'info',
      library,
    }));
}

/** The first active Coverage in a Bundle (what `test` uses when no coverage is given). */
export function coverageFromBundle(bundle: Bundle): Coverage | null {
  const all = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Coverage => r?.resourceType === 'Coverage');
  return all.find((c) => c.status === 'active') ?? null;
}

export function createRuleEngine(deps: RuleEngineDeps): RuleService {
  const registry = createLibraryRegistry(deps);
  let policyCache: PolicyRow[] | null = null;

  async function policyRows(): Promise<PolicyRow[]> {
    if (policyCache) return policyCache;
    policyCache = (await readPolicy(deps.db))?.rows ?? defaultPolicyRows();
    return policyCache;
  }

  async function parametersFor(order: Resource, coverage: Coverage | null): Promise<Record<string, unknown>> {
    return { Order: wrapResource(order), Coverage: coverage ? wrapResource(coverage) : null, Policy: policyParameter(await policyRows()) };
  }

  async function run(lib: StoredLibrary, bundle: Bundle, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return await runLibrary(registry.runnable(lib.name), bundle, params);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('CQL_EXECUTION_FAILED', `Library ${lib.name} failed on this patient: ${(err as Error).message}`, { cause: err });
    }
  }

  async function decide(lib: StoredLibrary, bundle: Bundle, order: Resource, coverage: Coverage | null, params: Record<string, unknown>): Promise<{ results: Record<string, unknown>; item: LibraryDecision | null }> {
    const results = await run(lib, bundle, params);
    const decision = decisionFromTuple(results.Decision, lib, order, coverage, billingCodes(results));
    return { results, item: decision ? { lib, decision, reason: decision.reasons[0]?.text ?? '' } : null };
  }

  async function resolveBundle(input: RuleTestInput): Promise<Bundle> {
    if (input.patientBundle) {
      if (input.patientBundle.resourceType !== 'Bundle') throw new AppError('RULE_TEST_INPUT_INVALID', 'patientBundle is not a FHIR Bundle (resourceType must be "Bundle").');
      return input.patientBundle;
    }
    if (!input.patientId) throw new AppError('RULE_TEST_INPUT_INVALID', 'Pass "patientId" (a stored patient) or "patientBundle" (a FHIR Bundle with the Patient).');
    const source = typeof deps.fhir === 'function' ? deps.fhir() : deps.fhir;
    if (!source) throw new AppError('RULE_TEST_INPUT_INVALID', 'No FHIR store is configured to read patients from; pass "patientBundle" instead.');
    const bundle = await source.patientBundle(input.patientId);
    if (!bundle) throw new AppError('RULE_TEST_INPUT_INVALID', `No patient with id "${input.patientId}" in the FHIR store; pick one from GET /api/v1/fhir/patients.`);
    return bundle;
  }

  return {
    async evaluateOrder({ patientBundle, order, coverage }) {
      await registry.ready();
      if (!coverage) return noCoverageDecision(order);
      if (coverage.status && coverage.status !== 'active') return fixedOutcome(order, 'no-active-coverage');
      if (!(patientBundle.entry ?? []).some((e) => e.resource?.resourceType === 'Patient')) return fixedOutcome(order, 'no-member-found');
      const policy = await policyRows();
      // Libraries whose declared scope rules this order out are skipped before any CQL runs (applicability.ts).
      const scope = { order, coverage, policy, valueSetCodes };
      const enabled = registry.all().filter((l) => l.status === 'enabled' && l.kind === 'order' && applies(appliesToOf(l), scope));
      if (enabled.length === 0) return mergeDecisions([], order, coverage);
      const params = await parametersFor(order, coverage);
      const outcomes = await Promise.all(
        enabled.map(async (lib) => {
          try {
            return (await decide(lib, patientBundle, order, coverage, params)).item;
          } catch (err) {
            deps.logger.warn({ library: lib.name, err: (err as Error).message }, 'rule library failed');
            const d = technicalDecision(order, `${lib.name}: ${(err as Error).message}`);
            return { lib, decision: { ...d, rules: [{ library: lib.name, version: lib.version }] }, reason: d.reasons[0]?.text ?? '' };
          }
        }),
      );
      return mergeDecisions(outcomes.filter((o): o is LibraryDecision => o !== null), order, coverage);
    },

    async patientView({ patientBundle }) {
      await registry.ready();
      const enabled = registry.all().filter((l) => l.status === 'enabled' && l.kind === 'patient');
      const out = await Promise.all(
        enabled.map(async (lib) => {
          try {
            return findings((await run(lib, patientBundle, { Order: null, Coverage: null, Policy: [] })).Findings, lib.name);
          } catch (err) {
            deps.logger.warn({ library: lib.name, err: (err as Error).message }, 'patient-view rule failed');
            return [];
          }
        }),
      );
      return out.flat();
    },

    async list() {
      await registry.ready();
      return registry.all().map((l) => registry.summary(l));
    },
    async get(name) {
      await registry.ready();
      return registry.detail(registry.find(name));
    },
    async compile(cqlText) {
      await registry.ready();
      return registry.compile(cqlText);
    },
    async add(input) {
      await registry.ready();
      return registry.detail(await registry.add(input));
    },
    async setStatus(name, status) {
      await registry.ready();
      return registry.summary(await registry.setStatus(name, status));
    },
    async remove(name) {
      await registry.ready();
      await registry.remove(name);
    },
    async test(name, input) {
      await registry.ready();
      const lib = registry.find(name);
      if (!input.order || typeof input.order !== 'object' || typeof input.order.resourceType !== 'string') {
        throw new AppError('RULE_TEST_INPUT_INVALID', '"order" must be a FHIR resource (e.g. a MedicationRequest with resourceType).');
      }
      const bundle = await resolveBundle(input);
      const coverage = input.coverage === undefined ? coverageFromBundle(bundle) : input.coverage;
      const t0 = performance.now();
      const params = await parametersFor(input.order, coverage);
      const { results, item } = await decide(lib, bundle, input.order, coverage, params);
      const elapsedMs = Math.round((performance.now() - t0) * 10) / 10;
      const decision = lib.kind === 'order' ? (coverage ? mergeDecisions(item ? [item] : [], input.order, coverage) : noCoverageDecision(input.order)) : null;
      return {
        library: lib.name,
        version: lib.version,
        results: Object.fromEntries(Object.entries(results).filter(([k]) => k !== 'Patient').map(([k, v]) => [k, toJsonSafe(v)])),
        decision,
        findings: findings(results.Findings, lib.name),
        elapsedMs,
      };
    },
    async getPolicy() {
      const stored = await readPolicy(deps.db);
      return { rows: stored?.rows ?? defaultPolicyRows(), updatedAt: stored?.updatedAt ?? null };
    },
    async putPolicy(rows) {
      const valid = validatePolicy(rows);
      const updatedAt = await writePolicy(deps.db, valid);
      policyCache = valid;
      return { rows: valid, updatedAt };
    },
  };
}
