/** Rule catalog API (/api/v1/rules): libraries, compile, test on a patient, policy table. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';

export interface RuleSummary {
  name: string;
  version: string;
  kind: 'order' | 'patient' | 'helper';
  status: 'enabled' | 'disabled';
  builtin: boolean;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface RuleExpression {
  name: string;
  type: string;
  context?: string;
  isFunction: boolean;
}

export interface RuleDetail extends RuleSummary {
  cql: string | null;
  expressions: RuleExpression[];
  includes: { name: string; version: string | null; alias: string }[];
}

export interface CqlProblem {
  severity: 'error' | 'warning' | 'info';
  message: string;
  line?: number;
  column?: number;
}

export interface CompileResult {
  ok: boolean;
  name: string | null;
  version: string | null;
  problems: CqlProblem[];
  expressions: RuleExpression[];
}

export interface CoverageDecision {
  covered: string;
  paNeeded?: string;
  docNeeded?: string[];
  docPurpose?: string[];
  infoNeeded?: string[];
  billingCodes?: { system?: string; code?: string; display?: string }[];
  reasons: { code?: string; text: string }[];
  summary: string;
  detail?: string;
  rules: { library: string; version: string; expression?: string }[];
}

export interface RuleTestResult {
  library: string;
  version: string;
  results: Record<string, unknown>;
  decision: CoverageDecision | null;
  findings: { summary: string; detail?: string; indicator: string }[];
  elapsedMs: number;
}

export interface PolicyRow {
  plan: string;
  system: string;
  code: string;
  display: string;
  requirement: 'pa' | 'doc' | 'none' | 'not-covered';
  docNeeded?: string;
  note?: string;
}

export interface PatientItem {
  id: string;
  name: string;
  birthDate?: string | null;
  coverage: string | null;
}

export const useRules = () => useQuery({ queryKey: ['rules'], queryFn: () => api<{ items: RuleSummary[] }>('/rules') });
export const useRule = (name: string | null) =>
  useQuery({ queryKey: ['rule', name], enabled: !!name, queryFn: () => api<RuleDetail>(`/rules/${encodeURIComponent(name!)}`) });
export const usePolicy = () => useQuery({ queryKey: ['rules-policy'], queryFn: () => api<{ rows: PolicyRow[]; updatedAt: string | null }>('/rules/policy') });
export const usePatients = (name: string) =>
  useQuery({ queryKey: ['fhir-patients', name], queryFn: () => api<{ items: PatientItem[]; nextCursor: string | null }>('/fhir/patients', { query: { name, limit: 100 } }) });

export const compileCql = (cql: string) => api<CompileResult>('/rules/compile', { method: 'POST', body: { cql } });
export const saveRule = (cql: string) => api<RuleDetail>('/rules', { method: 'POST', body: { cql } });
export const setRuleStatus = (name: string, status: 'enabled' | 'disabled') => api<RuleSummary>(`/rules/${encodeURIComponent(name)}`, { method: 'PATCH', body: { status } });
export const deleteRule = (name: string) => api<void>(`/rules/${encodeURIComponent(name)}`, { method: 'DELETE' });
export const testRule = (name: string, body: { patientId: string; order: unknown; coverage?: unknown }) =>
  api<RuleTestResult>(`/rules/${encodeURIComponent(name)}/test`, { method: 'POST', body });
export const savePolicy = (rows: PolicyRow[]) => api<{ rows: PolicyRow[]; updatedAt: string }>('/rules/policy', { method: 'PUT', body: rows });

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
