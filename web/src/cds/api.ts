/** CDS Hooks sandbox API: patients (FHIR store), sample orders, `try` (call a service in-process), audit log, feedback. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { CallSummary } from '../../../src/domains/cds/audit.ts';
import type { StoredFeedback } from '../../../src/domains/cds/feedback.ts';
import type { SampleOrder } from '../../../src/domains/cds/samples.ts';
import type { Card, HookResponse, Suggestion } from '../../../src/domains/cds/types.ts';
import type { PatientSummary } from '../../../src/domains/fhir/service.ts';

export type { CallSummary, SampleOrder };
export type CdsCard = Card;
export type CdsSuggestion = Suggestion;
export type Indicator = Card['indicator'];
export type PatientItem = PatientSummary;
export type FeedbackRow = StoredFeedback;
/** A hook's answer, or the OperationOutcome of a failed call. */
export type HookResponseBody = Partial<HookResponse> & {
  resourceType?: string;
  issue?: Array<{ diagnostics?: string; details?: { coding?: Array<{ system?: string; code?: string; display?: string }>; text?: string } }>;
};

export interface TryResult {
  serviceId: string;
  status: number;
  request: unknown;
  response: HookResponseBody;
  callId: string | null;
  durationMs: number | null;
  prefetch: Record<string, string>;
  coverageInformation: Array<{ resource: string; items: Array<Record<string, string[]>> }>;
}

export function usePatients(name: string) {
  return useQuery({
    queryKey: ['fhir-patients', name],
    queryFn: () => api<{ items: PatientItem[]; nextCursor: string | null }>('/fhir/patients', { query: { name, limit: 100 } }),
  });
}

export function useSamples() {
  return useQuery({ queryKey: ['cds-samples'], queryFn: () => api<{ items: SampleOrder[] }>('/cds/samples'), staleTime: Infinity });
}

export function useCalls() {
  return useQuery({ queryKey: ['cds-calls'], queryFn: () => api<{ items: CallSummary[]; nextCursor: string | null }>('/cds/calls', { query: { limit: 100 } }) });
}

export function useCall(id: string | null) {
  return useQuery({ queryKey: ['cds-call', id], enabled: !!id, queryFn: () => api<CallSummary & { request: unknown; response: unknown }>(`/cds/calls/${encodeURIComponent(id!)}`) });
}

export function useFeedback() {
  return useQuery({ queryKey: ['cds-feedback'], queryFn: () => api<{ items: FeedbackRow[] }>('/cds/feedback') });
}

export function tryHook(body: { hook: string; patientId: string; order?: unknown; prefetch: boolean; extension?: Record<string, unknown> }): Promise<TryResult> {
  return api<TryResult>('/cds/try', { method: 'POST', body });
}

export function sendFeedback(serviceId: string, item: Record<string, unknown>): Promise<{ stored: number; duplicates: number }> {
  return api(`/cds/feedback/${encodeURIComponent(serviceId)}`, { method: 'POST', body: { feedback: [item] } });
}

export interface PolicyRow {
  plan: string;
  system: string;
  code: string;
  display: string;
  requirement: string;
}

/** The payer's policy table (rules domain): codes the sandbox offers as draft orders. */
export function usePolicyCodes() {
  return useQuery({ queryKey: ['rules-policy'], queryFn: () => api<{ rows: PolicyRow[] }>('/rules/policy'), retry: false });
}

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

/** A draft order for a policy-table code: a MedicationRequest for RxNorm, else a ServiceRequest. */
export function orderForCode(row: { system: string; code: string; display: string }): Record<string, unknown> {
  const concept = { coding: [{ system: row.system, code: row.code, display: row.display }], text: row.display };
  const id = `draft-${row.code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
  return row.system === RXNORM
    ? { resourceType: 'MedicationRequest', id, status: 'draft', intent: 'order', medicationCodeableConcept: concept, subject: { reference: 'Patient/PATIENT' } }
    : { resourceType: 'ServiceRequest', id, status: 'draft', intent: 'original-order', code: concept, subject: { reference: 'Patient/PATIENT' } };
}
