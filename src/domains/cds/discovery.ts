/**
 * The services this server offers (GET /cds-services): Da Vinci CRD order-sign (primary hook: always a
 * coverage-information system action), order-select (secondary), appointment-book, and a patient-view
 * service for the payer's clinical reminders, and order-dispatch. The order hooks' templates use only CDS Hooks
 * 2.0 tokens ({{context.X}} and the user tokens), so any 2.0 client can fill them; order-dispatch's order keys
 * use FHIRPath tokens (CRD 2.2) because its context names the orders by reference only.
 */
import type { CdsServiceDefinition, HookName } from './types.ts';

/**
 * Prefetch keys without which no decision can be made (412 when neither sent, under any key, nor fetchable:
 * CRD found-32). Conditions and the rest are evidence: when absent, the rules decide without them.
 */
export const REQUIRED_KEYS: Record<HookName, string[]> = {
  'order-sign': ['patient', 'coverage'],
  'order-select': ['patient', 'coverage'],
  'appointment-book': ['patient', 'coverage'],
  'order-dispatch': ['patient', 'coverage'],
  'patient-view': ['patient'],
};

const ORDER_PREFETCH: Record<string, string> = {
  patient: 'Patient/{{context.patientId}}',
  coverage: 'Coverage?patient={{context.patientId}}&status=active',
  conditions: 'Condition?patient={{context.patientId}}',
  encounter: 'Encounter/{{context.encounterId}}',
  user: '{{context.userId}}',
  priorAuthorizations: 'ClaimResponse?patient={{context.patientId}}',
};

/** order-dispatch names its orders by reference only: CRD 2.2-style FHIRPath tokens pick each type's ids. */
const dispatched = (type: string) => `${type}?_id={{context.dispatchedOrders.where(startsWith('${type}/')).replace('${type}/', '')}}`;
const DISPATCH_PREFETCH: Record<string, string> = {
  patient: 'Patient/{{context.patientId}}',
  coverage: 'Coverage?patient={{context.patientId}}&status=active',
  conditions: 'Condition?patient={{context.patientId}}',
  performer: '{{context.performer}}',
  serviceRequests: dispatched('ServiceRequest'),
  medicationRequests: dispatched('MedicationRequest'),
  deviceRequests: dispatched('DeviceRequest'),
  priorAuthorizations: 'ClaimResponse?patient={{context.patientId}}',
};

const CONFIG_COVERAGE_INFO = {
  code: 'coverage-info',
  type: 'boolean',
  name: 'Coverage Information',
  description: 'Whether the ordered service is covered, needs prior authorization or documentation: a coverage-information extension on each order (system action) and an instructions card when action is needed.',
  default: true,
};
const CONFIG_CLINICAL_REMINDER = {
  code: 'clinical-reminder',
  type: 'boolean',
  name: 'Clinical Reminders',
  description: "Findings from the payer's clinical rules about this patient (e.g. an active sinusitis diagnosis).",
  default: true,
};
const CONFIG_MAX_CARDS = {
  code: 'max-cards',
  type: 'integer',
  name: 'Maximum cards',
  description: 'The maximum number of cards returned; the most important (critical, then warning, then info) are kept.',
  default: 10,
};

export const CRD_VERSION = ['2.0'];

export const SERVICES: CdsServiceDefinition[] = [
  {
    hook: 'order-sign',
    id: 'order-sign-crd',
    title: 'Coverage requirements at order signing (Da Vinci CRD)',
    description:
      'Returns coverage information for each draft order (covered, prior authorization, documentation, billing codes) as a coverage-information extension in a system action, plus an instructions card when prior authorization or documentation is needed. Rules are CQL libraries of the payer.',
    prefetch: ORDER_PREFETCH,
    usageRequirements: 'Send a JWT signed by a registered client. Prefetch patient, coverage and conditions, or give fhirServer with fhirAuthorization so the service can fetch them.',
    extension: { 'davinci-crd.version': CRD_VERSION, 'davinci-crd.configuration-options': [CONFIG_COVERAGE_INFO, CONFIG_MAX_CARDS] },
  },
  {
    hook: 'order-select',
    id: 'order-select-crd',
    title: 'Coverage requirements while selecting orders (Da Vinci CRD)',
    description:
      'Coverage information for the selected draft orders while they are being chosen (a secondary CRD hook: no documentation requests), as a coverage-information system action and an instructions card when prior authorization applies.',
    prefetch: ORDER_PREFETCH,
    usageRequirements: 'As for order-sign-crd.',
    extension: { 'davinci-crd.version': CRD_VERSION, 'davinci-crd.configuration-options': [CONFIG_COVERAGE_INFO, CONFIG_MAX_CARDS] },
  },
  {
    hook: 'appointment-book',
    id: 'appointment-book-crd',
    title: 'Coverage requirements when booking an appointment (Da Vinci CRD)',
    description: 'Coverage information for each proposed appointment (or the ServiceRequest it is based on, when that is in the appointments bundle) as a coverage-information system action.',
    prefetch: ORDER_PREFETCH,
    usageRequirements: 'As for order-sign-crd.',
    extension: { 'davinci-crd.version': CRD_VERSION, 'davinci-crd.configuration-options': [CONFIG_COVERAGE_INFO, CONFIG_MAX_CARDS] },
  },
  {
    hook: 'order-dispatch',
    id: 'order-dispatch-crd',
    title: 'Coverage requirements when an order is dispatched to a performer (Da Vinci CRD)',
    description:
      'Coverage information for each dispatched order (a primary CRD hook: covered, prior authorization, documentation) once the performer is known, as a coverage-information system action, plus an instructions card when prior authorization or documentation is needed.',
    prefetch: DISPATCH_PREFETCH,
    usageRequirements: 'As for order-sign-crd. The dispatched orders are read from the prefetch (any key) or from fhirServer.',
    extension: { 'davinci-crd.version': CRD_VERSION, 'davinci-crd.configuration-options': [CONFIG_COVERAGE_INFO, CONFIG_MAX_CARDS] },
  },
  {
    hook: 'patient-view',
    id: 'patient-view-crd',
    title: "Payer clinical reminders when a patient's chart is opened",
    description: "Cards from the payer's patient rules (CQL), e.g. an active sinusitis diagnosis, with links to guidance.",
    prefetch: { patient: 'Patient/{{context.patientId}}', conditions: 'Condition?patient={{context.patientId}}', coverage: 'Coverage?patient={{context.patientId}}&status=active' },
    extension: { 'davinci-crd.configuration-options': [CONFIG_CLINICAL_REMINDER, CONFIG_MAX_CARDS] },
  },
];

export function findService(id: string): CdsServiceDefinition | undefined {
  return SERVICES.find((s) => s.id === id);
}

/** The default service for a hook (CLI / sandbox: `--service` omitted). */
export function serviceForHook(hook: string): CdsServiceDefinition | undefined {
  return SERVICES.find((s) => s.hook === hook);
}

export function discovery(): { services: CdsServiceDefinition[] } {
  return { services: SERVICES };
}
