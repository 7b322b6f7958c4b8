/**
 * `fhir import --with-coverage PAYER`: Synthea bundles carry no Coverage, but CRD keys everything on the
 * patient's active Coverage (payer + plan). This makes one payer Organization and one active Coverage per
 * imported patient. Ids derive from the payer (and patient), so re-importing updates instead of duplicating.
 * The plan is Coverage.class of type `plan` (value = plan id, name = plan name): what the payer rules key on
 * (src/domains/cql/library/CoverageCommon.cql "Plan Id" / "Is Plan").
 */
import { createHash } from 'node:crypto';
import type { Coverage, Organization } from '@medplum/fhirtypes';

export interface CoverageOptions {
  /**
   * Plan ids, e.g. ["acme-gold"] (default: "<payer slug>-standard"). Several plans are spread over the
   * patients deterministically (by patient id), so a demo store has members of each plan.
   */
  plans?: string[];
  /** Coverage.period.start (default: 2000-01-01, so every Synthea encounter falls inside). */
  periodStart?: string;
}

export function slug(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'payer';
}

/** "acme-gold" → "Acme Gold". */
function planName(planId: string): string {
  return planId.split(/[-_\s]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}

export function payerOrganization(payer: string): Organization {
  return {
    resourceType: 'Organization',
    id: `payer-${slug(payer)}`,
    identifier: [{ system: 'urn:sagebrush:payer', value: slug(payer) }],
    active: true,
    type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'pay', display: 'Payer' }], text: 'Payer' }],
    name: payer,
  };
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The plan a patient gets among several (stable across runs). */
export function planFor(patientId: string, plans: string[]): string {
  return plans[Number.parseInt(hash(patientId).slice(0, 8), 16) % plans.length]!;
}

/** An active Coverage of `patientRef` (a Bundle fullUrl or Patient/id) with the payer Organization. */
export function coverageFor(patientRef: string, patientId: string, payer: Organization, options: CoverageOptions = {}): Coverage {
  const payerSlug = payer.identifier?.[0]?.value ?? slug(payer.name ?? 'payer');
  const plans = options.plans?.length ? options.plans : [`${payerSlug.split('-')[0]}-standard`];
  const plan = planFor(patientId, plans);
  return {
    resourceType: 'Coverage',
    id: `cov-${hash(`${patientId}|${payerSlug}`).slice(0, 32)}`,
    identifier: [{ system: `urn:sagebrush:payer:${payerSlug}:member`, value: `M${hash(patientId).slice(0, 10).toUpperCase()}` }],
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HIP', display: 'health insurance plan policy' }] },
    subscriber: { reference: patientRef },
    subscriberId: `M${hash(patientId).slice(0, 10).toUpperCase()}`,
    beneficiary: { reference: patientRef },
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self', display: 'Self' }] },
    period: { start: options.periodStart ?? '2000-01-01' },
    payor: [{ reference: `Organization/${payer.id}`, display: payer.name }],
    class: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan', display: 'Plan' }] },
        value: plan,
        name: planName(plan),
      },
    ],
  };
}
