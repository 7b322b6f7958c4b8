/**
 * What the CDS service and the CQL engine read patient data through: the embedded store
 * (`createFhirService`) or an external FHIR server (`createRemoteFhirSource`). Read-only on purpose.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';

export interface FhirDataSource {
  /** One resource by type and id; null when it does not exist (or was deleted). */
  read<T extends Resource = Resource>(type: string, id: string): Promise<T | null>;
  /** A searchset Bundle with the first page of matches (follows no paging links). */
  search(type: string, params: Record<string, string | string[]>): Promise<Bundle>;
  /**
   * Everything the rules need about one patient as ONE searchset Bundle (Patient, Coverage, Condition,
   * MedicationRequest, ServiceRequest, DeviceRequest, Encounter, Procedure, Observation, Claim,
   * ClaimResponse, plus referenced Practitioner/Organization/Medication), for cql-exec-fhir's
   * loadBundles. null when the patient does not exist.
   */
  patientBundle(patientId: string): Promise<Bundle | null>;
  /**
   * Every live resource of `types` in one Patient's compartment (the Patient itself included when asked for), in
   * ONE read: what a CDS call's patient-scoped prefetch queries need, instead of one search each. Optional: the
   * embedded store has it; an external server is searched query by query.
   */
  compartment?(patientId: string, types: readonly string[]): Promise<Resource[]>;
}
