/**
 * Da Vinci CRD coverage information: a CoverageDecision (from the CQL rules) becomes the
 * `ext-coverage-information` extension on the draft order, returned as a systemAction `update` (CRD resp-25:
 * never a card). Also the CRD fixed outcomes (no member, no coverage, technical failure) and the invariants
 * crd-ci-q2 (not-covered ⇒ no pa-needed; otherwise pa-needed present) and crd-ci-q5 (satisfied ⇔ satisfied-pa-id).
 */
import { randomUUID } from 'node:crypto';
import type { Coverage, Extension, Resource } from '@medplum/fhirtypes';
import type { CoverageDecision } from '../cql/types.ts';
import type { CardAction } from './types.ts';

export const COVERAGE_INFO_URL = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';
/** CRD's temporary code system: card types, coverage-assertion reasons, doc purposes. */
export const CRD_TEMP_SYSTEM = 'http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp';

/** Request types CRD puts coverage information on. */
export const ORDER_TYPES = new Set(['MedicationRequest', 'ServiceRequest', 'DeviceRequest', 'NutritionOrder', 'CommunicationRequest', 'VisionPrescription', 'Appointment', 'Encounter']);

export type FixedOutcome = 'no-member-found' | 'coverage-not-found' | 'no-active-coverage' | 'technical';

const FIXED_TEXT: Record<FixedOutcome, string> = {
  'no-member-found': 'The patient is not a known member of this payer.',
  'coverage-not-found': 'No single active coverage with this payer was found for the patient.',
  'no-active-coverage': 'The patient has no active coverage with this payer.',
  technical: 'Coverage could not be determined because of a technical problem; try again or contact the payer.',
};

/** CRD resp-43..45: the fixed outcomes when there is no patient, no (single) coverage, or a failure. */
export function fixedDecision(outcome: FixedOutcome, detail?: string): CoverageDecision {
  const covered = outcome === 'technical' ? 'indeterminate' : 'not-covered';
  return {
    covered,
    ...(covered === 'indeterminate' ? { paNeeded: 'indeterminate' as const } : {}),
    reasons: [{ code: outcome, text: FIXED_TEXT[outcome] }],
    summary: outcome === 'technical' ? 'Coverage could not be determined (technical problem)' : FIXED_TEXT[outcome].replace(/\.$/, ''),
    ...(detail ? { detail } : {}),
    rules: [],
  };
}

/** Applies the CRD invariants and the hook's limits to a rule's decision (the rules need not know them). */
export function normalizeDecision(d: CoverageDecision, hook: string): CoverageDecision {
  const out: CoverageDecision = { ...d, reasons: [...d.reasons], rules: [...d.rules] };
  if (out.covered === 'not-covered') delete out.paNeeded; // crd-ci-q2
  else if (!out.paNeeded) out.paNeeded = out.covered === 'covered' ? 'no-auth' : 'indeterminate';
  // Secondary hooks SHALL NOT ask for clinical or administrative documentation (CRD hook-17..19).
  if (hook === 'order-select' && out.docNeeded) {
    out.docNeeded = out.docNeeded.filter((c) => c !== 'clinical' && c !== 'admin');
    if (out.docNeeded.length === 0) {
      delete out.docNeeded;
      delete out.docPurpose;
    }
  }
  // crd-ci-q3: info-needed only when something is conditional.
  if (out.infoNeeded?.length && ![out.covered, out.paNeeded, ...(out.docNeeded ?? [])].includes('conditional')) delete out.infoNeeded;
  if (out.summary.length > 140) out.summary = `${out.summary.slice(0, 139)}…`;
  return out;
}

export interface CoverageInfoOptions {
  coverage: Coverage | null;
  /** Assertion date (YYYY-MM-DD from this). */
  date: Date;
  /** Unique per assertion; generated when absent. */
  assertionId?: string;
  /** The prior authorization on file when pa-needed is `satisfied` (crd-ci-q5). */
  satisfiedPaId?: string;
}

export function coverageInformationExtension(decision: CoverageDecision, opts: CoverageInfoOptions): Extension {
  const ext: Extension[] = [];
  ext.push({ url: 'coverage', valueReference: opts.coverage?.id ? { reference: `Coverage/${opts.coverage.id}` } : { display: 'No active coverage found' } });
  ext.push({ url: 'covered', valueCode: decision.covered });
  if (decision.paNeeded) ext.push({ url: 'pa-needed', valueCode: decision.paNeeded });
  for (const c of decision.docNeeded ?? []) ext.push({ url: 'doc-needed', valueCode: c });
  for (const c of decision.docPurpose ?? []) ext.push({ url: 'doc-purpose', valueCode: c });
  for (const c of decision.infoNeeded ?? []) ext.push({ url: 'info-needed', valueCode: c });
  for (const c of decision.billingCodes ?? []) ext.push({ url: 'billingCode', valueCoding: c });
  for (const r of decision.reasons) {
    ext.push({ url: 'reason', valueCodeableConcept: r.code ? { coding: [{ system: CRD_TEMP_SYSTEM, code: r.code }], text: r.text } : { text: r.text } });
  }
  ext.push({ url: 'date', valueDate: opts.date.toISOString().slice(0, 10) });
  ext.push({ url: 'coverage-assertion-id', valueString: opts.assertionId ?? randomUUID() });
  if (decision.paNeeded === 'satisfied') ext.push({ url: 'satisfied-pa-id', valueString: opts.satisfiedPaId ?? 'on-file' });
  return { url: COVERAGE_INFO_URL, extension: ext };
}

/** The order with our coverage-information added; an earlier assertion for the same coverage is replaced (CRD resp-37: only these extensions change). */
export function withCoverageInformation<T extends Resource>(order: T, ext: Extension): T {
  const coverageRef = ext.extension?.find((e) => e.url === 'coverage')?.valueReference?.reference;
  const existing = ((order as { extension?: Extension[] }).extension ?? []).filter(
    (e) => !(e.url === COVERAGE_INFO_URL && e.extension?.find((s) => s.url === 'coverage')?.valueReference?.reference === coverageRef),
  );
  return { ...structuredClone(order), extension: [...existing, ext] };
}

export function coverageSystemAction(order: Resource, ext: Extension): CardAction {
  return {
    type: 'update',
    description: `Add coverage information to ${order.resourceType}/${order.id ?? '(no id)'}`,
    resource: withCoverageInformation(order, ext),
  };
}

/** Reads back the sub-extensions as a flat record (tests, CLI and UI tables). */
export function readCoverageInformation(resource: Resource): Array<Record<string, string[]>> {
  const exts = ((resource as { extension?: Extension[] }).extension ?? []).filter((e) => e.url === COVERAGE_INFO_URL);
  return exts.map((e) => {
    const row: Record<string, string[]> = {};
    for (const s of e.extension ?? []) {
      const v =
        s.valueCode ?? s.valueString ?? s.valueDate ?? s.valueReference?.reference ?? s.valueReference?.display ??
        (s.valueCoding ? `${s.valueCoding.system ?? ''}|${s.valueCoding.code ?? ''}` : undefined) ??
        (s.valueCodeableConcept ? [s.valueCodeableConcept.coding?.[0]?.code, s.valueCodeableConcept.text].filter(Boolean).join(': ') : undefined);
      if (v !== undefined) (row[s.url] ??= []).push(v);
    }
    return row;
  });
}
