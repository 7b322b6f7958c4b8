/**
 * Cards as CDS Hooks 2.0 and Da Vinci CRD want them: a uuid (so feedback can name it), an actionable summary of
 * at most 140 characters, an indicator of info|warning|critical from the clinician's view (a missing prior
 * authorization is at most a warning), source.label = the payer and source.topic from CRD's card types,
 * suggestions with uuids and actions (and selectionBehavior), links, and coded override reasons with displays.
 */
import { randomUUID } from 'node:crypto';
import type { Coding, Coverage, Resource } from '@medplum/fhirtypes';
import type { CoverageDecision, PatientViewFinding } from '../cql/types.ts';
import { CRD_TEMP_SYSTEM } from './crd.ts';
import type { Card } from './types.ts';

const CARD_TYPE_DISPLAY: Record<string, string> = {
  'coverage-info': 'Coverage Information',
  'clinical-reminder': 'Clinical Reminder',
  guideline: 'Guideline',
  claim: 'Claim',
};

export function cardTopic(code: keyof typeof CARD_TYPE_DISPLAY): Coding {
  return { system: CRD_TEMP_SYSTEM, code, display: CARD_TYPE_DISPLAY[code] };
}

export const OVERRIDE_REASON_SYSTEM = 'https://sagebrush.dev/fhir/CodeSystem/cds-override-reason';

/** Why a clinician may dismiss a coverage card; sent back in feedback. */
export const OVERRIDE_REASONS: Coding[] = [
  { system: OVERRIDE_REASON_SYSTEM, code: 'pa-on-file', display: 'Prior authorization is already on file' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'urgent', display: 'Urgent care: authorization will be requested afterwards' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'self-pay', display: 'Patient chooses to pay out of pocket' },
  { system: OVERRIDE_REASON_SYSTEM, code: 'not-applicable', display: 'Not applicable to this patient' },
];

/** The insurer name for source.label (CRD: SHALL be the insurer): the Coverage's payor, else the configured name. */
export function payerName(coverage: Coverage | null, fallback: string): string {
  const payor = coverage?.payor?.find((p) => p.display)?.display;
  return payor?.trim() || fallback;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function ref(r: Resource): string {
  return `${r.resourceType}/${r.id ?? ''}`;
}

/** Whether a decision needs the clinician to act (prior authorization or documentation): then an Instructions card. */
export function needsInstructions(d: CoverageDecision): boolean {
  const pa = d.paNeeded === 'auth-needed' || d.paNeeded === 'performpa';
  const doc = (d.docNeeded ?? []).some((c) => c !== 'conditional' && c !== 'indeterminate');
  return d.covered !== 'not-covered' && (pa || doc);
}

/** CRD "Instructions" card for an order that needs prior authorization or documentation. */
export function instructionsCard(d: CoverageDecision, order: Resource, payer: string, patientId: string): Card {
  const pa = d.paNeeded === 'auth-needed' || d.paNeeded === 'performpa';
  const lines: string[] = [];
  if (d.detail) lines.push(d.detail);
  if (pa) lines.push(d.paNeeded === 'performpa' ? '**Prior authorization** must be requested by the performing provider.' : '**Prior authorization** is required before this order is covered.');
  const docs = (d.docNeeded ?? []).filter((c) => c !== 'conditional' && c !== 'indeterminate');
  if (docs.length) lines.push(`**Documentation needed:** ${docs.join(', ')}${d.docPurpose?.length ? ` (${d.docPurpose.join(', ')})` : ''}.`);
  const reasons = d.reasons.filter((r) => r.text && !(d.detail ?? '').includes(r.text)).map((r) => `- ${r.text}`);
  if (reasons.length) lines.push(['Reasons:', ...reasons].join('\n'));
  const card: Card = {
    uuid: randomUUID(),
    summary: truncate(d.summary || (pa ? 'Prior authorization required' : 'Documentation required'), 140),
    detail: lines.join('\n\n'),
    indicator: pa ? 'warning' : 'info',
    source: { label: payer, topic: cardTopic('coverage-info') },
    overrideReasons: OVERRIDE_REASONS,
    extension: { 'davinci-crd.associated-resource': [ref(order)] },
  };
  if (d.links?.length) card.links = d.links.map((l) => ({ label: l.label, url: l.url, type: l.type }));
  if (pa) {
    card.suggestions = [
      {
        label: 'Add a task to request prior authorization',
        uuid: randomUUID(),
        isRecommended: true,
        actions: [
          {
            type: 'create',
            description: `Create a Task to request prior authorization for ${ref(order)}`,
            resource: {
              resourceType: 'Task',
              status: 'requested',
              intent: 'order',
              code: { text: 'Request prior authorization' },
              description: truncate(d.summary, 140),
              focus: { reference: ref(order) },
              for: { reference: `Patient/${patientId}` },
            },
          },
        ],
      },
    ];
    card.selectionBehavior = 'at-most-one';
  }
  return card;
}

/** patient-view: one card per finding of the payer's patient rules. */
export function findingCard(f: PatientViewFinding, payer: string): Card {
  return {
    uuid: randomUUID(),
    summary: truncate(f.summary, 140),
    ...(f.detail ? { detail: f.detail } : {}),
    indicator: f.indicator,
    source: { label: payer, topic: cardTopic('clinical-reminder') },
  };
}

const RANK = { critical: 0, warning: 1, info: 2 } as const;

/** CRD max-cards: keep the most important cards (stable within the same indicator). */
export function limitCards(cards: Card[], max: number | undefined): Card[] {
  if (max === undefined || cards.length <= max) return cards;
  return cards
    .map((c, i) => ({ c, i }))
    .sort((a, b) => RANK[a.c.indicator] - RANK[b.c.indicator] || a.i - b.i)
    .slice(0, Math.max(0, max))
    .map((x) => x.c);
}
