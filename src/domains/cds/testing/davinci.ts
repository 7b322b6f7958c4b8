/**
 * Hook requests shaped like the Da Vinci CRD reference client's (HL7-DaVinci crd-request-generator): its own
 * prefetch keys — `medicationRequestBundle` / `serviceRequestBundle` / `deviceRequestBundle`, a searchset with
 * the order and the `_include`d Patient, Coverage, requester PractitionerRole and Practitioner — and
 * `practitionerRole`; none of our keys (patient, coverage, conditions). Built from given resources so a test
 * can use a stored patient, or from the small static set below.
 */
import type { Bundle, BundleEntry, Coverage, Patient, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { HookRequest } from '../types.ts';

export const RI_PRACTITIONER: Practitioner = { resourceType: 'Practitioner', id: 'pra1234', name: [{ family: 'Doe', given: ['Jane'] }], identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1122334455' }] };
export const RI_ROLE: PractitionerRole = { resourceType: 'PractitionerRole', id: 'pra-hfairchild', practitioner: { reference: 'Practitioner/pra1234' }, code: [{ coding: [{ system: 'http://nucc.org/provider-taxonomy', code: '207Q00000X' }] }] };
export const RI_PATIENT: Patient = { resourceType: 'Patient', id: 'pat013', gender: 'male', birthDate: '1970-07-04', name: [{ family: 'Sanchez', given: ['Vincent'] }] };
export const RI_COVERAGE: Coverage = {
  resourceType: 'Coverage',
  id: 'cov013',
  status: 'active',
  beneficiary: { reference: 'Patient/pat013' },
  payor: [{ reference: 'Organization/org1234', display: 'Acme Health' }],
  class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] }, value: 'acme-standard', name: 'Acme Standard' }],
};

function include(resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `http://localhost:8080/test-ehr/r4/${resource.resourceType}/${resource.id}`, resource, search: { mode } };
}

export interface DavinciParts {
  patient: Patient;
  coverage: Coverage | null;
  order: Resource;
  hook?: 'order-sign' | 'order-select' | 'order-dispatch';
  hookInstance?: string;
}

/** An order-sign (or order-select) request as the reference client sends it, keys and all. */
export function davinciRequest(p: DavinciParts): HookRequest {
  const order = { ...p.order, requester: { reference: `PractitionerRole/${RI_ROLE.id}` } } as Resource;
  const bundleKey = `${order.resourceType.charAt(0).toLowerCase()}${order.resourceType.slice(1)}Bundle`;
  const entries = [include(order, 'match'), include(p.patient, 'include'), ...(p.coverage ? [include(p.coverage, 'include')] : []), include(RI_ROLE, 'include'), include(RI_PRACTITIONER, 'include')];
  const hook = p.hook ?? 'order-sign';
  const context: HookRequest['context'] =
    hook === 'order-dispatch'
      ? { patientId: p.patient.id!, dispatchedOrders: [`${order.resourceType}/${order.id}`], performer: `Practitioner/${RI_PRACTITIONER.id}` }
      : { patientId: p.patient.id!, userId: `Practitioner/${RI_PRACTITIONER.id}`, draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] } };
  if (hook === 'order-select') context.selections = [`${order.resourceType}/${order.id}`];
  return {
    hookInstance: p.hookInstance ?? crypto.randomUUID(),
    hook,
    context,
    prefetch: {
      [bundleKey]: { resourceType: 'Bundle', type: 'searchset', total: 1, entry: entries } as Bundle,
      practitionerRole: { resourceType: 'Bundle', type: 'searchset', entry: [include(RI_ROLE, 'match'), include(RI_PRACTITIONER, 'include')] } as Bundle,
    },
  };
}
