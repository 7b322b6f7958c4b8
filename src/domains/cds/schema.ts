/**
 * Zod schemas for what clients send (hook request, feedback) and a validator for what this service returns
 * (discovery, cards, system actions, coverage-information), encoding CDS Hooks 2.0 and the FHIRPath invariants
 * of the spec's logical models (cds-resp-1..7, cds-fb-1..3, cds-r-1) and CRD's (crd-ci-q2, q3, q5; resp-25).
 * Tests run every response they produce through `responseProblems`.
 */
import { z } from 'zod';
import { COVERAGE_INFO_URL } from './crd.ts';

const resourceLike = z.looseObject({ resourceType: z.string().min(1) });

export const fhirAuthorizationSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().min(1),
  expires_in: z.number().optional(),
  scope: z.string().optional(),
  subject: z.string().optional(),
  patient: z.string().optional(),
});

export const hookRequestSchema = z
  .looseObject({
    hook: z.string().min(1),
    hookInstance: z.string().min(1),
    // Checked by ../fhir/ssrf.ts (scheme, address, allow-list) so every refusal names fhirServer the same way.
    fhirServer: z.string().min(1).optional(),
    fhirAuthorization: fhirAuthorizationSchema.optional(),
    context: z.looseObject({
      patientId: z.string().min(1).optional(),
      userId: z.string().min(1).optional(),
      encounterId: z.string().min(1).optional(),
    }),
    prefetch: z.record(z.string(), z.union([resourceLike, z.null()])).optional(),
    extension: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => r.fhirAuthorization === undefined || r.fhirServer !== undefined, { message: 'fhirAuthorization needs fhirServer (cds-r-1)', path: ['fhirServer'] });

export type HookRequestBody = z.infer<typeof hookRequestSchema>;

const REF = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;
/** FHIR's id grammar: ids end up in URLs (`Patient/{id}`), so `../../Patient/other` must never pass. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** Hook-specific context fields (HL7 cds-hooks-library): a list of {field, problem}. */
export function contextProblems(hook: string, context: Record<string, unknown>): { field: string; problem: string }[] {
  const out: { field: string; problem: string }[] = [];
  if (typeof context.patientId !== 'string' || !context.patientId) out.push({ field: 'context.patientId', problem: 'required' });
  else if (!FHIR_ID.test(context.patientId)) out.push({ field: 'context.patientId', problem: 'not a FHIR id (1-64 of A-Z a-z 0-9 - .)' });
  if (typeof context.encounterId === 'string' && !FHIR_ID.test(context.encounterId)) out.push({ field: 'context.encounterId', problem: 'not a FHIR id (1-64 of A-Z a-z 0-9 - .)' });
  // order-dispatch has no userId (the dispatcher may be a system); every other hook requires one.
  if (hook !== 'order-dispatch' && (typeof context.userId !== 'string' || !REF.test(context.userId))) out.push({ field: 'context.userId', problem: 'required, as Type/id (e.g. Practitioner/123)' });
  const bundle = (field: string) => {
    const b = context[field] as { resourceType?: unknown; entry?: unknown } | undefined;
    if (!b || b.resourceType !== 'Bundle') out.push({ field: `context.${field}`, problem: 'required: a FHIR Bundle' });
    else if (b.entry !== undefined && !Array.isArray(b.entry)) out.push({ field: `context.${field}.entry`, problem: 'must be an array' });
  };
  if (hook === 'order-sign' || hook === 'order-select') bundle('draftOrders');
  if (hook === 'appointment-book') bundle('appointments');
  if (hook === 'order-dispatch') {
    const d = context.dispatchedOrders;
    if (!Array.isArray(d) || d.length === 0 || d.some((x) => typeof x !== 'string' || !REF.test(x))) out.push({ field: 'context.dispatchedOrders', problem: 'required: a non-empty array of Type/id references to the orders' });
    if (typeof context.performer !== 'string' || !REF.test(context.performer)) out.push({ field: 'context.performer', problem: 'required, as Type/id (e.g. Organization/lab-1)' });
    const t = context.fulfillmentTasks;
    if (t !== undefined && (!Array.isArray(t) || t.some((x) => (x as { resourceType?: unknown })?.resourceType !== 'Task'))) out.push({ field: 'context.fulfillmentTasks', problem: 'an array of Task resources' });
  }
  if (hook === 'order-select') {
    const s = context.selections;
    if (!Array.isArray(s) || s.some((x) => typeof x !== 'string' || !REF.test(x))) out.push({ field: 'context.selections', problem: 'required: an array of Type/id references into draftOrders' });
  }
  return out;
}

export const feedbackItemSchema = z
  .object({
    card: z.string().min(1),
    outcome: z.enum(['accepted', 'overridden']), // cds-fb-1
    acceptedSuggestions: z.array(z.object({ id: z.string().min(1) })).optional(),
    overrideReason: z
      .object({ reason: z.object({ system: z.string().optional(), code: z.string().min(1), display: z.string().optional() }).optional(), userComment: z.string().optional() })
      .refine((o) => o.reason !== undefined || (o.userComment ?? '') !== '', { message: 'overrideReason needs reason or userComment (cds-fb-3)' })
      .optional(),
    outcomeTimestamp: z.string().datetime({ offset: true }),
  })
  .refine((f) => f.outcome !== 'accepted' || (f.acceptedSuggestions?.length ?? 0) > 0, { message: 'accepted feedback needs acceptedSuggestions (cds-fb-2)', path: ['acceptedSuggestions'] });

export const feedbackSchema = z.object({ feedback: z.array(feedbackItemSchema).min(1) });

// ---- response validation ---------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const ABSOLUTE = /^https?:\/\/\S+$/;

const CODES = {
  covered: ['covered', 'not-covered', 'conditional', 'indeterminate'],
  'pa-needed': ['no-auth', 'auth-needed', 'satisfied', 'performpa', 'conditional', 'indeterminate'],
  'doc-needed': ['no-doc', 'clinical', 'admin', 'both', 'patient', 'conditional', 'indeterminate'],
  'doc-purpose': ['withpa', 'withclaim', 'withorder', 'retain-doc', 'OTH'],
  'info-needed': ['performer', 'location', 'timeframe', 'contract-window', 'detail-code', 'OTH'],
} as const;

/** Problems with one coverage-information extension (cardinalities, codes, crd-ci-q2/q3/q5). */
export function coverageInformationProblems(ext: unknown, at: string): string[] {
  const p: string[] = [];
  if (!isObj(ext) || !Array.isArray(ext.extension)) return [`${at}: coverage-information needs sub-extensions`];
  const subs = ext.extension.filter(isObj);
  const all = (url: string) => subs.filter((s) => s.url === url);
  const one = (url: string, min: number) => {
    const n = all(url).length;
    if (n < min || n > 1) p.push(`${at}.${url}: ${min}..1 expected, found ${n}`);
  };
  one('coverage', 1);
  one('covered', 1);
  one('pa-needed', 0);
  one('date', 1);
  one('coverage-assertion-id', 1);
  one('satisfied-pa-id', 0);
  for (const [url, codes] of Object.entries(CODES)) {
    for (const s of all(url)) if (!(codes as readonly string[]).includes(String(s.valueCode))) p.push(`${at}.${url}: code ${String(s.valueCode)} not in ${codes.join('|')}`);
  }
  const cov = all('coverage')[0];
  if (cov && !isObj(cov.valueReference)) p.push(`${at}.coverage: valueReference required`);
  const date = all('date')[0];
  if (date && !/^\d{4}-\d{2}-\d{2}$/.test(String(date.valueDate))) p.push(`${at}.date: valueDate YYYY-MM-DD required`);
  const id = all('coverage-assertion-id')[0];
  if (id && !isStr(id.valueString)) p.push(`${at}.coverage-assertion-id: valueString required`);
  for (const s of all('billingCode')) if (!isObj(s.valueCoding) || !isStr(s.valueCoding.code)) p.push(`${at}.billingCode: valueCoding with code required`);
  for (const s of all('reason')) if (!isObj(s.valueCodeableConcept)) p.push(`${at}.reason: valueCodeableConcept required`);
  const covered = all('covered')[0]?.valueCode;
  const pa = all('pa-needed')[0]?.valueCode;
  if (covered !== undefined && covered !== 'not-covered' && pa === undefined) p.push(`${at}: crd-ci-q2 pa-needed must be present unless not-covered`);
  if (covered === 'not-covered' && pa !== undefined) p.push(`${at}: crd-ci-q2 pa-needed must be absent when not-covered`);
  const conditional = [covered, pa, ...all('doc-needed').map((s) => s.valueCode)].includes('conditional');
  if (all('info-needed').length > 0 && !conditional) p.push(`${at}: crd-ci-q3 info-needed needs something conditional`);
  if ((pa === 'satisfied') !== (all('satisfied-pa-id').length > 0)) p.push(`${at}: crd-ci-q5 satisfied-pa-id iff pa-needed = satisfied`);
  return p;
}

function actionProblems(a: unknown, at: string): string[] {
  const p: string[] = [];
  if (!isObj(a)) return [`${at}: action must be an object`];
  if (!['create', 'update', 'delete'].includes(String(a.type))) p.push(`${at}.type: create|update|delete required`);
  if (!isStr(a.description)) p.push(`${at}.description: required (cds-resp-5)`);
  if ((a.type === 'create' || a.type === 'update') && !(isObj(a.resource) && isStr(a.resource.resourceType))) p.push(`${at}.resource: a FHIR resource is required for ${String(a.type)}`);
  if (a.type === 'delete' && (a.resource !== undefined || a.resourceId === undefined)) p.push(`${at}: delete uses resourceId, not resource (cds-resp-2)`);
  if (isObj(a.resource) && Array.isArray(a.resource.extension)) {
    a.resource.extension.forEach((e, i) => {
      if (isObj(e) && e.url === COVERAGE_INFO_URL) p.push(...coverageInformationProblems(e, `${at}.resource.extension[${i}]`));
    });
  }
  return p;
}

function codingProblems(c: unknown, at: string, needDisplay: boolean): string[] {
  if (!isObj(c) || !isStr(c.code)) return [`${at}: a Coding with code`];
  if (needDisplay && !isStr(c.display)) return [`${at}: display required (cds-resp-4)`];
  return [];
}

/**
 * Everything wrong with a hook response: CDS Hooks 2.0 card rules and invariants; with `crd`, also CRD's
 * (source.topic required, suggestion uuids, coverage information only as system actions, unique assertion ids).
 */
export function responseProblems(body: unknown, options: { crd?: boolean } = {}): string[] {
  const p: string[] = [];
  if (!isObj(body)) return ['response: must be a JSON object'];
  if (!Array.isArray(body.cards)) p.push('cards: required array (use [] when nothing applies)');
  const uuids = new Set<string>();
  (Array.isArray(body.cards) ? body.cards : []).forEach((card, i) => {
    const at = `cards[${i}]`;
    if (!isObj(card)) return p.push(`${at}: must be an object`);
    if (card.uuid !== undefined) {
      if (!isStr(card.uuid)) p.push(`${at}.uuid: string`);
      else if (uuids.has(card.uuid)) p.push(`${at}.uuid: duplicate`);
      else uuids.add(card.uuid);
    }
    if (!isStr(card.summary)) p.push(`${at}.summary: required`);
    else if (card.summary.length > 140) p.push(`${at}.summary: ${card.summary.length} characters, at most 140`);
    if (card.detail !== undefined && typeof card.detail !== 'string') p.push(`${at}.detail: string (markdown)`);
    if (!['info', 'warning', 'critical'].includes(String(card.indicator))) p.push(`${at}.indicator: info|warning|critical, got ${String(card.indicator)}`);
    if (!isObj(card.source) || !isStr(card.source.label)) p.push(`${at}.source.label: required`);
    else {
      if (card.source.url !== undefined && !(typeof card.source.url === 'string' && ABSOLUTE.test(card.source.url))) p.push(`${at}.source.url: absolute URL`);
      if (card.source.icon !== undefined && !(typeof card.source.icon === 'string' && ABSOLUTE.test(card.source.icon))) p.push(`${at}.source.icon: absolute URL`);
      if (card.source.topic !== undefined) p.push(...codingProblems(card.source.topic, `${at}.source.topic`, false));
      else if (options.crd) p.push(`${at}.source.topic: required by CRD (card type)`);
    }
    if (card.suggestions !== undefined) {
      if (!Array.isArray(card.suggestions)) p.push(`${at}.suggestions: array`);
      else {
        if (!['at-most-one', 'any'].includes(String(card.selectionBehavior))) p.push(`${at}.selectionBehavior: at-most-one|any required with suggestions (cds-resp-6)`);
        if (card.selectionBehavior === 'at-most-one' && card.suggestions.filter((s) => isObj(s) && s.isRecommended === true).length > 1) p.push(`${at}: at most one recommended suggestion (cds-resp-1)`);
        card.suggestions.forEach((s, j) => {
          const sat = `${at}.suggestions[${j}]`;
          if (!isObj(s)) return p.push(`${sat}: object`);
          if (!isStr(s.label)) p.push(`${sat}.label: required`);
          if (s.uuid !== undefined && !isStr(s.uuid)) p.push(`${sat}.uuid: string`);
          if (options.crd && !isStr(s.uuid)) p.push(`${sat}.uuid: required by CRD`);
          if (s.isRecommended !== undefined && typeof s.isRecommended !== 'boolean') p.push(`${sat}.isRecommended: boolean`);
          if (s.actions !== undefined) {
            if (!Array.isArray(s.actions)) p.push(`${sat}.actions: array`);
            else s.actions.forEach((a, k) => p.push(...actionProblems(a, `${sat}.actions[${k}]`)));
          }
          return undefined;
        });
      }
    } else if (card.selectionBehavior !== undefined && !['at-most-one', 'any'].includes(String(card.selectionBehavior))) p.push(`${at}.selectionBehavior: at-most-one|any`);
    if (card.overrideReasons !== undefined) {
      if (!Array.isArray(card.overrideReasons)) p.push(`${at}.overrideReasons: array of Coding`);
      else card.overrideReasons.forEach((c, j) => p.push(...codingProblems(c, `${at}.overrideReasons[${j}]`, true)));
    }
    if (card.links !== undefined) {
      if (!Array.isArray(card.links)) p.push(`${at}.links: array`);
      else
        card.links.forEach((l, j) => {
          const lat = `${at}.links[${j}]`;
          if (!isObj(l)) return p.push(`${lat}: object`);
          if (!isStr(l.label)) p.push(`${lat}.label: required`);
          if (!(typeof l.url === 'string' && ABSOLUTE.test(l.url))) p.push(`${lat}.url: absolute URL required`);
          if (!['absolute', 'smart'].includes(String(l.type))) p.push(`${lat}.type: absolute|smart`);
          if (l.appContext !== undefined && l.type !== 'smart') p.push(`${lat}.appContext: only on smart links (cds-resp-3)`);
          return undefined;
        });
    }
    // CRD resp-25: coverage information is a system action, never inside a card.
    if (options.crd && JSON.stringify(card.suggestions ?? []).includes(COVERAGE_INFO_URL)) p.push(`${at}: coverage-information belongs in systemActions, not a card (CRD resp-25)`);
    return undefined;
  });
  if (body.systemActions !== undefined) {
    if (!Array.isArray(body.systemActions)) p.push('systemActions: array');
    else {
      body.systemActions.forEach((a, i) => p.push(...actionProblems(a, `systemActions[${i}]`)));
      const ids = body.systemActions.flatMap((a) =>
        isObj(a) && isObj(a.resource) && Array.isArray(a.resource.extension)
          ? a.resource.extension.flatMap((e) => (isObj(e) && e.url === COVERAGE_INFO_URL && Array.isArray(e.extension) ? e.extension.filter((s) => isObj(s) && s.url === 'coverage-assertion-id').map((s) => String((s as Json).valueString)) : []))
          : [],
      );
      if (new Set(ids).size !== ids.length) p.push('systemActions: coverage-assertion-id values must be unique');
    }
  }
  return p;
}

/** Problems with a discovery response: services with hook, id (unique), description; prefetch templates as strings. */
export function discoveryProblems(body: unknown): string[] {
  const p: string[] = [];
  if (!isObj(body) || !Array.isArray(body.services)) return ['services: required array'];
  const ids = new Set<string>();
  body.services.forEach((s, i) => {
    const at = `services[${i}]`;
    if (!isObj(s)) return p.push(`${at}: object`);
    if (!isStr(s.hook)) p.push(`${at}.hook: required`);
    if (!isStr(s.description)) p.push(`${at}.description: required`);
    if (!isStr(s.id)) p.push(`${at}.id: required`);
    else if (ids.has(s.id)) p.push(`${at}.id: duplicate`);
    else ids.add(s.id);
    if (s.title !== undefined && typeof s.title !== 'string') p.push(`${at}.title: string`);
    if (s.prefetch !== undefined) {
      if (!isObj(s.prefetch)) p.push(`${at}.prefetch: object`);
      else for (const [k, v] of Object.entries(s.prefetch)) if (!isStr(v)) p.push(`${at}.prefetch.${k}: template string`);
    }
    if (s.extension !== undefined && !isObj(s.extension)) p.push(`${at}.extension: object`);
    return undefined;
  });
  return p;
}
