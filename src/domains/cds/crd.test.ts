/**
 * Coverage information from a CoverageDecision literal, the CRD fixed outcomes and invariants, the cards built
 * from decisions, and the response validator itself (it must catch what the spec forbids).
 */
import { describe, expect, it } from 'vitest';
import type { Coverage, MedicationRequest } from '@medplum/fhirtypes';
import type { CoverageDecision } from '../cql/types.ts';
import { findingCard, instructionsCard, limitCards, needsInstructions, payerName } from './cards.ts';
import { COVERAGE_INFO_URL, coverageInformationExtension, coverageSystemAction, fixedDecision, normalizeDecision, readCoverageInformation } from './crd.ts';
import { coverageInformationProblems, discoveryProblems, responseProblems } from './schema.ts';
import { discovery } from './discovery.ts';
import type { Card } from './types.ts';

const coverage: Coverage = { resourceType: 'Coverage', id: 'cov-1', status: 'active', beneficiary: { reference: 'Patient/p1' }, payor: [{ display: 'Acme Health' }] };
const order: MedicationRequest = {
  resourceType: 'MedicationRequest',
  id: 'rx-1',
  status: 'draft',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '308191' }] },
};
const paDecision: CoverageDecision = {
  covered: 'covered',
  paNeeded: 'auth-needed',
  docNeeded: ['clinical'],
  docPurpose: ['withpa'],
  billingCodes: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '308191' }],
  reasons: [{ text: 'Amoxicillin without a sinusitis diagnosis needs prior authorization on the Gold plan' }],
  summary: 'Prior authorization required for amoxicillin (Acme Gold plan)',
  detail: 'Rule **AmoxicillinPriorAuth** matched.',
  links: [{ label: 'Documentation template', url: 'https://payer.example.org/dtr/launch', type: 'smart' }],
  rules: [{ library: 'AmoxicillinPriorAuth', version: '1.0.0' }],
};

describe('coverage-information extension', () => {
  it('writes every sub-extension from the decision, with a unique assertion id and the date', () => {
    const ext = coverageInformationExtension(normalizeDecision(paDecision, 'order-sign'), { coverage, date: new Date('2026-11-28T10:00:00Z') });
    expect(ext.url).toBe(COVERAGE_INFO_URL);
    const action = coverageSystemAction(order, ext);
    expect(action.type).toBe('update');
    expect(action.resource?.id).toBe('rx-1');
    const [info] = readCoverageInformation(action.resource!);
    expect(info).toMatchObject({
      coverage: ['Coverage/cov-1'],
      covered: ['covered'],
      'pa-needed': ['auth-needed'],
      'doc-needed': ['clinical'],
      'doc-purpose': ['withpa'],
      billingCode: ['http://www.nlm.nih.gov/research/umls/rxnorm|308191'],
      date: ['2026-11-28'],
    });
    expect(info!['coverage-assertion-id']![0]).toMatch(/^[0-9a-f-]{36}$/);
    const other = coverageInformationExtension(paDecision, { coverage, date: new Date() });
    expect(other.extension!.find((e) => e.url === 'coverage-assertion-id')!.valueString).not.toBe(info!['coverage-assertion-id']![0]);
    expect(coverageInformationProblems(ext, 'ext')).toEqual([]);
    expect(responseProblems({ cards: [], systemActions: [action] }, { crd: true })).toEqual([]);
    // The original order is untouched; a second assertion for the same coverage replaces the first.
    expect(order.extension).toBeUndefined();
    const twice = coverageSystemAction(action.resource!, other);
    expect(readCoverageInformation(twice.resource!)).toHaveLength(1);
  });

  it('gives the CRD fixed outcomes', () => {
    const none = normalizeDecision(fixedDecision('no-member-found'), 'order-sign');
    expect(none).toMatchObject({ covered: 'not-covered', reasons: [{ code: 'no-member-found' }] });
    expect(none.paNeeded).toBeUndefined();
    expect(normalizeDecision(fixedDecision('technical'), 'order-sign')).toMatchObject({ covered: 'indeterminate', paNeeded: 'indeterminate', reasons: [{ code: 'technical' }] });
    const ext = coverageInformationExtension(none, { coverage: null, date: new Date() });
    expect(readCoverageInformation({ resourceType: 'MedicationRequest', extension: [ext] } as MedicationRequest)[0]).toMatchObject({
      covered: ['not-covered'],
      coverage: ['No active coverage found'],
      reason: ['no-member-found: The patient is not a known member of this payer.'],
    });
    expect(coverageInformationProblems(ext, 'ext')).toEqual([]);
  });

  it('applies the invariants and hook limits to rule output', () => {
    expect(normalizeDecision({ ...paDecision, covered: 'not-covered' }, 'order-sign').paNeeded).toBeUndefined(); // crd-ci-q2
    expect(normalizeDecision({ covered: 'covered', reasons: [], summary: 'ok', rules: [] }, 'order-sign').paNeeded).toBe('no-auth');
    expect(normalizeDecision(paDecision, 'order-select').docNeeded).toBeUndefined(); // secondary hook: no clinical/admin docs
    expect(normalizeDecision({ ...paDecision, infoNeeded: ['performer'] }, 'order-sign').infoNeeded).toBeUndefined(); // crd-ci-q3
    expect(normalizeDecision({ ...paDecision, summary: 'x'.repeat(200) }, 'order-sign').summary).toHaveLength(140);
    const satisfied = coverageInformationExtension({ ...paDecision, paNeeded: 'satisfied' }, { coverage, date: new Date(), satisfiedPaId: 'PA-77' });
    expect(coverageInformationProblems(satisfied, 'ext')).toEqual([]); // crd-ci-q5
  });
});

describe('cards', () => {
  it('builds a spec-valid instructions card for prior authorization', () => {
    expect(needsInstructions(paDecision)).toBe(true);
    expect(needsInstructions({ ...paDecision, paNeeded: 'no-auth', docNeeded: [] })).toBe(false);
    const card = instructionsCard(paDecision, order, payerName(coverage, 'Fallback'), 'p1');
    expect(card).toMatchObject({ indicator: 'warning', summary: paDecision.summary, source: { label: 'Acme Health', topic: { code: 'coverage-info' } }, selectionBehavior: 'at-most-one' });
    expect(card.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(card.suggestions![0]!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(card.suggestions![0]!.actions![0]).toMatchObject({ type: 'create', resource: { resourceType: 'Task', focus: { reference: 'MedicationRequest/rx-1' } } });
    expect(card.links).toEqual([{ label: 'Documentation template', url: 'https://payer.example.org/dtr/launch', type: 'smart' }]);
    expect(card.overrideReasons!.every((c) => c.display)).toBe(true);
    expect(responseProblems({ cards: [card] }, { crd: true })).toEqual([]);
    expect(payerName(null, 'Fallback')).toBe('Fallback');
  });

  it('keeps the most important cards under max-cards', () => {
    const mk = (indicator: Card['indicator'], summary: string): Card => ({ summary, indicator, source: { label: 'x' } });
    const kept = limitCards([mk('info', 'a'), mk('critical', 'b'), mk('warning', 'c'), mk('info', 'd')], 2);
    expect(kept.map((c) => c.summary)).toEqual(['b', 'c']);
    expect(limitCards([mk('info', 'a')], 0)).toEqual([]);
    expect(findingCard({ summary: 'Sinusitis', indicator: 'info', library: 'Sinusitis' }, 'Acme').source.topic?.code).toBe('clinical-reminder');
  });
});

describe('response validator', () => {
  it('accepts the discovery document and catches spec violations', () => {
    expect(discoveryProblems(discovery())).toEqual([]);
    expect(discoveryProblems({ services: [{ hook: 'x', id: 'a' }, { hook: 'x', id: 'a', description: 'd' }] })).toEqual(['services[0].description: required', 'services[1].id: duplicate']);
    expect(responseProblems({})).toEqual(['cards: required array (use [] when nothing applies)']);
    const bad = {
      cards: [
        // The AWS sample's card: "severe", no source, no uuid.
        { summary: 'Prior Authorization Required', indicator: 'severe', detail: 'Prior Authirization is required' },
        { summary: 'y'.repeat(141), indicator: 'info', source: { label: 'p', icon: 'icon.png' }, suggestions: [{ label: 's', isRecommended: true, actions: [{ type: 'create' }] }, { label: 't', isRecommended: true }], overrideReasons: [{ code: 'x' }], links: [{ label: 'l', url: '/relative', type: 'absolute', appContext: 'x' }] },
      ],
      systemActions: [{ type: 'delete', description: 'd', resource: { resourceType: 'Task' } }],
    };
    const p = responseProblems(bad, { crd: true });
    expect(p).toEqual(
      expect.arrayContaining([
        'cards[0].indicator: info|warning|critical, got severe',
        'cards[0].source.label: required',
        'cards[1].summary: 141 characters, at most 140',
        'cards[1].source.icon: absolute URL',
        'cards[1].source.topic: required by CRD (card type)',
        'cards[1].selectionBehavior: at-most-one|any required with suggestions (cds-resp-6)',
        'cards[1].suggestions[0].uuid: required by CRD',
        'cards[1].suggestions[0].actions[0].description: required (cds-resp-5)',
        'cards[1].suggestions[0].actions[0].resource: a FHIR resource is required for create',
        'cards[1].overrideReasons[0]: display required (cds-resp-4)',
        'cards[1].links[0].url: absolute URL required',
        'cards[1].links[0].appContext: only on smart links (cds-resp-3)',
        'systemActions[0]: delete uses resourceId, not resource (cds-resp-2)',
      ]),
    );
    expect(responseProblems({ cards: [{ summary: 's', indicator: 'info', source: { label: 'p' }, selectionBehavior: 'at-most-one', suggestions: [{ label: 'a', isRecommended: true }, { label: 'b', isRecommended: true }] }] })).toContain('cards[0]: at most one recommended suggestion (cds-resp-1)');
    const noPa = { url: COVERAGE_INFO_URL, extension: [{ url: 'coverage', valueReference: { reference: 'Coverage/1' } }, { url: 'covered', valueCode: 'covered' }, { url: 'info-needed', valueCode: 'performer' }, { url: 'date', valueDate: '2026-01-01' }, { url: 'coverage-assertion-id', valueString: 'a' }] };
    expect(coverageInformationProblems(noPa, 'e')).toEqual(['e: crd-ci-q2 pa-needed must be present unless not-covered', 'e: crd-ci-q3 info-needed needs something conditional']);
  });
});
