/**
 * An external FHIR R4 server (HAPI, Medplum, HealthLake, or our own /fhir/R4) as a FhirDataSource: what
 * the CDS service reads when a hook request names a `fhirServer`, with its `fhirAuthorization` bearer
 * token. Every request has a timeout; the token is only ever sent to `baseUrl`'s origin (paging links
 * that point elsewhere are not followed). By default requests go through the SSRF guard (ssrf.ts: https
 * only, no private/loopback/link-local/metadata addresses unless the origin is allow-listed, pinned DNS, no
 * redirects), and the server's error bodies are never passed on to the caller (they may echo anything).
 */
import type { Bundle, BundleEntry, Patient, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { referencesIn } from './search.ts';
import { checkOutboundUrl, createGuardedFetch } from './ssrf.ts';
import type { FhirDataSource } from './source.ts';

export interface RemoteFhirOptions {
  baseUrl: string;
  accessToken?: string;
  /** Origins that may use http or private addresses (SAGEBRUSH_CDS_FHIR_ALLOW). */
  allowOrigins?: readonly string[];
  /** For tests: replaces the guarded fetch (the URL checks still apply). */
  fetch?: typeof fetch;
  /** Gets a short note (origin, status; never ids or bodies) when the server fails. */
  logger?: Logger;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** patientBundle: page size and most pages per resource type (defaults 200 and 5). */
  pageSize?: number;
  maxPages?: number;
}

/** Compartment searches patientBundle runs: type → the parameter naming the patient. */
const PATIENT_SEARCHES: Array<[string, string]> = [
  ['Coverage', 'patient'],
  ['Condition', 'patient'],
  ['MedicationRequest', 'patient'],
  ['ServiceRequest', 'patient'],
  ['DeviceRequest', 'subject'],
  ['Encounter', 'patient'],
  ['Procedure', 'patient'],
  ['Observation', 'patient'],
  ['Claim', 'patient'],
  ['ClaimResponse', 'patient'],
  ['AllergyIntolerance', 'patient'],
];
const REFERENCED_TYPES = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Medication', 'Device']);

const SAFE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
const SAFE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function createRemoteFhirSource(options: RemoteFhirOptions): FhirDataSource {
  const base = options.baseUrl.replace(/\/+$/, '');
  const policy = { allowOrigins: options.allowOrigins ?? [] };
  const origin = checkOutboundUrl(base, policy).origin;
  const doFetch = options.fetch ?? createGuardedFetch(policy);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pageSize = options.pageSize ?? 200;
  const maxPages = options.maxPages ?? 5;

  /** GET, or POST with a form body (searches: search parameters carry PHI and stay out of URLs and access logs). */
  async function get(url: string, form?: string): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: 'application/fhir+json, application/json;q=0.9' };
    if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let res: Response;
    try {
      res = await doFetch(url, { method: form === undefined ? 'GET' : 'POST', headers, ...(form === undefined ? {} : { body: form }), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      if (err instanceof AppError) throw err; // FHIR_SERVER_NOT_ALLOWED from the guard
      const e = err as Error & { code?: string };
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      // No socket error text for the caller: it would tell a prober which ports answer.
      options.logger?.warn({ fhirServer: origin, error: e.code ?? e.name }, 'FHIR server unreachable');
      throw new AppError('FHIR_REMOTE_UNAVAILABLE', `FHIR server ${base} unreachable: ${timedOut ? `no answer within ${timeoutMs} ms` : 'the connection failed'}`, { cause: err });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new AppError('FHIR_REMOTE_UNAVAILABLE', `FHIR server ${base}: reading the response failed`, { cause: err });
    }
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok) throw new AppError('FHIR_REMOTE_UNAVAILABLE', `FHIR server ${base} answered ${res.status} with a body that is not JSON`);
      }
    }
    return { status: res.status, body };
  }

  /** The status only: the body is the remote's text (it may echo internal data) and is never reflected. */
  function fail(status: number, what: string): never {
    options.logger?.warn({ fhirServer: origin, status }, 'FHIR server answered an error');
    if (status >= 500 || status === 429) throw new AppError('FHIR_REMOTE_UNAVAILABLE', `FHIR server ${base} failed ${what}: HTTP ${status}`, { extra: { remoteStatus: status } });
    throw new AppError('FHIR_REMOTE_REJECTED', `FHIR server ${base} refused ${what}: HTTP ${status}`, {
      extra: { remoteStatus: status },
      problems: [{ field: 'fhirServer', problem: `HTTP ${status}`, fix: status === 401 || status === 403 ? 'Send a valid access token with read scopes for this data.' : status >= 300 && status < 400 ? 'Send the FHIR base URL itself (redirects are not followed).' : 'Check the query against the server\'s CapabilityStatement.' }],
    });
  }

  function query(params: Record<string, string | string[]>): string {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) u.append(k, x);
    const s = u.toString();
    return s ? `?${s}` : '';
  }

  function checkType(type: string): void {
    if (!SAFE_TYPE.test(type)) throw new AppError('FHIR_RESOURCE_TYPE_UNKNOWN', `"${type}" is not a FHIR resource type`, { problems: [{ field: 'type', problem: 'invalid type', fix: 'Use an R4 type such as Patient.' }] });
  }

  async function read<T extends Resource = Resource>(type: string, id: string): Promise<T | null> {
    checkType(type);
    if (!SAFE_ID.test(id)) return null;
    const { status, body } = await get(`${base}/${type}/${encodeURIComponent(id)}`);
    if (status === 404 || status === 410) return null;
    if (status < 200 || status >= 300) fail(status, `read ${type}/${id}`);
    if ((body as Resource | null)?.resourceType !== type) throw new AppError('FHIR_REMOTE_UNAVAILABLE', `FHIR server ${base} answered read ${type}/${id} with something that is not a ${type}`);
    return body as T;
  }

  async function searchUrl(url: string, what: string, form?: string): Promise<Bundle> {
    const { status, body } = await get(url, form);
    if (status < 200 || status >= 300) fail(status, what);
    const b = body as Bundle | null;
    if (b?.resourceType !== 'Bundle') throw new AppError('FHIR_REMOTE_UNAVAILABLE', `FHIR server ${base} answered ${what} with something that is not a Bundle`);
    return b;
  }

  async function search(type: string, params: Record<string, string | string[]>): Promise<Bundle> {
    checkType(type);
    // FHIR's POST [base]/[type]/_search (as HealthLake advises for PHI); next-page links are the server's GET URLs.
    return searchUrl(`${base}/${type}/_search`, `search ${type}`, query(params).slice(1));
  }

  /** All pages (up to maxPages) of a search; only same-origin next links are followed. */
  async function searchAll(type: string, params: Record<string, string>): Promise<BundleEntry[]> {
    const entries: BundleEntry[] = [];
    let bundle = await search(type, params);
    for (let page = 1; ; page++) {
      entries.push(...(bundle.entry ?? []));
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      if (!next || page >= maxPages) break;
      let nextUrl: URL;
      try {
        nextUrl = new URL(next, `${base}/`);
      } catch {
        break;
      }
      if (nextUrl.origin !== origin) break;
      bundle = await searchUrl(nextUrl.toString(), `search ${type} (next page)`);
    }
    return entries;
  }

  return {
    read,
    search,
    async patientBundle(patientId) {
      const patient = await read<Patient>('Patient', patientId);
      if (!patient) return null;
      const results = await Promise.all(
        PATIENT_SEARCHES.map(async ([type, param]) => {
          try {
            return await searchAll(type, { [param]: `Patient/${patientId}`, _count: String(pageSize) });
          } catch (err) {
            // A server that does not support one search (HealthLake: DeviceRequest-patient) still gives the rest.
            if (err instanceof AppError && err.code === 'FHIR_REMOTE_REJECTED' && err.extra?.remoteStatus !== 401 && err.extra?.remoteStatus !== 403) return [];
            throw err;
          }
        }),
      );
      const entries: BundleEntry[] = [{ fullUrl: `${base}/Patient/${patientId}`, resource: patient }];
      const seen = new Set([`Patient/${patientId}`]);
      for (const e of results.flat()) {
        const r = e.resource;
        if (!r || e.search?.mode === 'outcome' || !r.id || seen.has(`${r.resourceType}/${r.id}`)) continue;
        seen.add(`${r.resourceType}/${r.id}`);
        entries.push({ fullUrl: e.fullUrl ?? `${base}/${r.resourceType}/${r.id}`, resource: r });
      }
      const wanted = new Map<string, { type: string; id: string }>();
      for (const e of entries) {
        for (const ref of referencesIn(e.resource)) {
          const k = `${ref.type}/${ref.id}`;
          if (REFERENCED_TYPES.has(ref.type) && !seen.has(k)) wanted.set(k, ref);
        }
      }
      const refs = [...wanted.values()].slice(0, 100);
      const fetched = await Promise.all(refs.map((r) => read(r.type, r.id).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'FHIR_REMOTE_REJECTED') return null;
        throw err;
      })));
      for (const r of fetched) if (r?.id) entries.push({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r });
      return { resourceType: 'Bundle', type: 'searchset', total: entries.length, entry: entries };
    },
  };
}
