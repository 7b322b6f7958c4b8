/** Rule catalog API (/api/v1/rules): libraries, compile, test on a patient, policy table. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import type { PatientSummary } from '../../../src/domains/fhir/service.ts';
import type {
  CompileResult,
  CoverageDecision,
  CqlProblem,
  PolicyRow,
  PolicyTable,
  RuleExpression,
  RuleLibraryDetail as RuleDetail,
  RuleLibrarySummary as RuleSummary,
  RuleTestResult,
} from '../../../src/domains/cql/types.ts';

export type { CompileResult, CoverageDecision, CqlProblem, PolicyRow, RuleDetail, RuleExpression, RuleSummary, RuleTestResult };
export type PatientItem = PatientSummary;

export const useRules = () => useQuery({ queryKey: ['rules'], queryFn: () => api<{ items: RuleSummary[] }>('/rules') });
export const useRule = (name: string | null) =>
  useQuery({ queryKey: ['rule', name], enabled: !!name, queryFn: () => api<RuleDetail>(`/rules/${encodeURIComponent(name!)}`) });
export const usePolicy = () => useQuery({ queryKey: ['rules-policy'], queryFn: () => api<PolicyTable>('/rules/policy') });
export const usePatients = (name: string) =>
  useQuery({ queryKey: ['fhir-patients', name], queryFn: () => api<Page<PatientItem>>('/fhir/patients', { query: { name, limit: 100 } }) });

export const compileCql = (cql: string) => api<CompileResult>('/rules/compile', { method: 'POST', body: { cql } });
export const saveRule = (cql: string) => api<RuleDetail>('/rules', { method: 'POST', body: { cql } });
export const setRuleStatus = (name: string, status: 'enabled' | 'disabled') => api<RuleSummary>(`/rules/${encodeURIComponent(name)}`, { method: 'PATCH', body: { status } });
export const deleteRule = (name: string) => api<void>(`/rules/${encodeURIComponent(name)}`, { method: 'DELETE' });
export const testRule = (name: string, body: { patientId: string; order: unknown; coverage?: unknown }) =>
  api<RuleTestResult>(`/rules/${encodeURIComponent(name)}/test`, { method: 'POST', body });
export const savePolicy = (rows: PolicyRow[]) => api<PolicyTable>('/rules/policy', { method: 'PUT', body: rows });

/** The two sample orders of the test panel. */
export const SAMPLE_ORDERS: Record<string, { label: string; resource: Record<string, unknown> }> = {
  amoxicillin: {
    label: 'Amoxicillin 500 MG capsule (MedicationRequest)',
    resource: {
      resourceType: 'MedicationRequest',
      id: 'draft-amoxicillin',
      status: 'draft',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '308191', display: 'amoxicillin 500 MG Oral Capsule' }], text: 'amoxicillin 500 MG Oral Capsule' },
      dosageInstruction: [{ text: '500 mg three times a day for 10 days' }],
    },
  },
  mri: {
    label: 'MRI lumbar spine (ServiceRequest, CPT 72148)',
    resource: {
      resourceType: 'ServiceRequest',
      id: 'draft-mri-lumbar',
      status: 'draft',
      intent: 'order',
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '72148', display: 'MRI lumbar spine without contrast' }], text: 'MRI lumbar spine without contrast' },
    },
  },
};

export const NEW_RULE_TEMPLATE = `library MyPayerRule version '1.0.0'

using FHIR version '4.0.1'

include FHIRHelpers version '4.0.1' called FHIRHelpers
include CoverageCommon version '1.0.0' called Common

/* The draft order and the patient's Coverage are passed in by the engine. */
parameter "Order" FHIR.Resource
parameter "Coverage" FHIR.Coverage

context Patient

define "Is CPAP":
  exists ((Common."Order Codes"("Order")) C where C.code = 'E0601')

/* An order rule defines "Decision" (null = no opinion); see CoverageCommon."Decision" for the fields. */
define "Decision":
  if "Is CPAP" and Common."Is Plan"("Coverage", 'acme-gold') then
    Common."Decision"('covered', 'auth-needed', 'clinical', 'withpa', null,
      'The Acme Gold plan requires a sleep study before CPAP', 'Prior authorization required for CPAP (Acme Gold plan)')
  else null
`;
