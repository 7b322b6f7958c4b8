/** The FHIR store from the UI: the patient picker list (/api/v1/fhir), a patient's data ($everything) and bundle import. */
import { useQuery } from '@tanstack/react-query';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { api, ApiError, authHeaders, parseBody } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import type { ImportResult as StoreImportResult, PatientSummary } from '../../../src/domains/fhir/service.ts';

export type PatientRow = PatientSummary;
export type PatientPage = Page<PatientRow>;
/** POST /api/v1/fhir/import: the store's result plus what the route adds. */
export type ImportResult = StoreImportResult & { entries: number; elapsedMs: number };

export function usePatientList(name: string, cursor: string | null) {
  return useQuery({
    queryKey: ['fhir', 'patients', name, cursor],
    queryFn: ({ signal }) => api<PatientPage>('/fhir/patients', { query: { name, limit: 50, cursor }, signal }),
  });
}

export function useCounts() {
  return useQuery({ queryKey: ['fhir', 'counts'], queryFn: ({ signal }) => api<{ counts: Record<string, number> }>('/fhir/counts', { signal }) });
}

/** GET on the FHIR REST API (/fhir/R4); OperationOutcome errors become ApiErrors with the issue text. */
export async function fhirGet<T extends Resource>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`/fhir/R4${path}`, { headers: { accept: 'application/fhir+json', ...authHeaders() }, signal });
  const body = parseBody(await res.text(), res.headers.get('content-type')) as { resourceType?: string; issue?: Array<{ details?: { text?: string }; diagnostics?: string }> } | undefined;
  if (!res.ok) {
    const detail = body?.issue?.map((i) => i.details?.text ?? i.diagnostics).filter(Boolean).join('; ') || `HTTP ${res.status}`;
    throw new ApiError(res.status, { code: `HTTP_${res.status}`, detail });
  }
  return body as unknown as T;
}

export function usePatientEverything(id: string) {
  return useQuery({ queryKey: ['fhir', 'everything', id], queryFn: ({ signal }) => fhirGet<Bundle>(`/Patient/${encodeURIComponent(id)}/$everything`, signal) });
}

/** Reads a .json or .json.gz file in the browser (gzip by magic bytes, via DecompressionStream). */
export async function readBundle(file: File): Promise<unknown> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const text = gz ? await new Response(file.stream().pipeThrough(new DecompressionStream('gzip'))).text() : await file.text();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, { code: 'FHIR_BUNDLE_INVALID', detail: `${file.name} is not JSON: ${(err as Error).message}` });
  }
}

export function importBundle(bundle: unknown, withCoverage: string, plans: string): Promise<ImportResult> {
  return api<ImportResult>('/fhir/import', { method: 'POST', body: bundle, query: { withCoverage: withCoverage.trim() || undefined, plans: plans.trim() || undefined } });
}
