/**
 * Pure decision logic shared by the inline engine and the rule worker threads: a library's "Decision" tuple →
 * CRD coverage decision, the merge of several libraries' decisions (most restrictive wins), the CRD fixed outcomes
 * and patient-view findings. No I/O and no engine state, so a worker and the main thread decide identically.
 */
import type { Coding, Coverage, Resource } from '@medplum/fhirtypes';
import { toJsonSafe } from './execute.ts';
import type { CoverageDecision, CoveredCode, DocNeededCode, DocPurposeCode, InfoNeededCode, PaNeededCode, PatientViewFinding } from './types.ts';

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

export interface LibraryDecision {
  lib: { name: string; version: string };
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

export function billingCodes(results: Record<string, unknown>): Coding[] {
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

export function findings(value: unknown, library: string): PatientViewFinding[] {
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
