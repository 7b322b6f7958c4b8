/**
 * Sample draft orders for the sandbox UI and the CLI: a medication (amoxicillin), an imaging service (MRI) and
 * physical therapy, both CPT codes of the payer's policy table. `asDraft` binds one to a patient as a draft order with a stable id.
 */
import type { Resource } from '@medplum/fhirtypes';

export interface SampleOrder {
  id: string;
  label: string;
  resource: Resource;
}

/** A draft ServiceRequest for a CPT-coded service. */
function cptOrder(id: string, label: string, code: string, display: string, text: string): SampleOrder {
  return {
    id,
    label: `${label} (ServiceRequest)`,
    resource: {
      resourceType: 'ServiceRequest',
      id: `draft-${id}`,
      status: 'draft',
      intent: 'original-order',
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code, display }], text },
      subject: { reference: 'Patient/PATIENT' },
    },
  };
}

export const SAMPLE_ORDERS: SampleOrder[] = [
  {
    id: 'amoxicillin',
    label: 'Amoxicillin 500 mg oral capsule (MedicationRequest)',
    resource: {
      resourceType: 'MedicationRequest',
      id: 'draft-amoxicillin',
      status: 'draft',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '308191', display: 'amoxicillin 500 MG Oral Capsule' }],
        text: 'Amoxicillin 500 MG Oral Capsule',
      },
      subject: { reference: 'Patient/PATIENT' },
      dosageInstruction: [{ text: '500 mg three times a day for 10 days', timing: { repeat: { frequency: 3, period: 1, periodUnit: 'd' } } }],
      dispenseRequest: { numberOfRepeatsAllowed: 0, quantity: { value: 30, unit: 'capsule' } },
    },
  },
  cptOrder('mri-lumbar', 'MRI lumbar spine without contrast, CPT 72148', '72148', 'MRI lumbar spine without contrast', 'MRI lumbar spine without contrast'),
  cptOrder('physical-therapy', 'Therapeutic exercise, CPT 97110', '97110', 'Therapeutic exercise, each 15 minutes', 'Physical therapy: therapeutic exercise'),
];

/** The order as a draft for this patient (subject set, status draft, an id when it has none). */
export function asDraft(order: Resource, patientId: string, authoredOn = new Date()): Resource {
  const r = structuredClone(order) as Resource & { status?: string; subject?: { reference?: string }; authoredOn?: string };
  if (!r.id) r.id = `draft-${r.resourceType.toLowerCase()}`;
  if (r.resourceType !== 'Appointment') {
    r.subject = { reference: `Patient/${patientId}` };
    r.status = 'draft';
    if ('authoredOn' in r || r.resourceType === 'MedicationRequest' || r.resourceType === 'ServiceRequest') r.authoredOn ??= authoredOn.toISOString().slice(0, 10);
  }
  return r;
}
