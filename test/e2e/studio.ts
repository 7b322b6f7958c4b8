/**
 * API shortcuts for the browser tests, to set up data quickly through the real server (see server.ts), and
 * deterministic sample data.
 */
import { expect } from 'vitest';
import type { TestServer } from './server.ts';

export async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

export function apiClient(server: TestServer) {
  const url = (path: string) => `${server.baseUrl}/api/v1${path}`;
  const send = <T>(method: string, path: string, body?: unknown) =>
    fetch(url(path), { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => json<T>(r));
  return {
    get: <T>(path: string) => send<T>('GET', path),
    post: <T>(path: string, body?: unknown) => send<T>('POST', path, body),
    put: <T>(path: string, body?: unknown) => send<T>('PUT', path, body),
    /** A CSV dataset (Comprehend style: no header), imported before it returns. */
    async uploadCsv(name: string, csv: string): Promise<void> {
      const form = new FormData();
      form.append('name', name);
      form.append('header', 'false');
      form.append('file', new Blob([csv], { type: 'text/csv' }), `${name}.csv`);
      await json(await fetch(url('/datasets?wait=true'), { method: 'POST', body: form }));
    },
    /** Waits for a job to end; throws unless it ends `want`. */
    async waitJob(id: string, want = 'succeeded', timeoutMs = 60_000): Promise<{ id: string; status: string; result: unknown }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await send<{ id: string; status: string; result: unknown; error: unknown }>('GET', `/jobs/${id}`);
        if (['succeeded', 'failed', 'cancelled'].includes(job.status)) {
          if (job.status !== want) throw new Error(`job ${id} ${job.status}: ${JSON.stringify(job.error)}`);
          return job;
        }
        if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    /** Trains a text classifier through the API and waits for it. */
    async trainText(body: Record<string, unknown>): Promise<string> {
      const { job } = await send<{ job: { id: string } }>('POST', '/text/classifiers', body);
      await this.waitJob(job.id);
      return job.id;
    },
  };
}

const WORDS: Record<string, string[]> = {
  sports: ['football', 'goal', 'team', 'match', 'league', 'coach', 'stadium', 'referee'],
  cooking: ['recipe', 'oven', 'garlic', 'flour', 'bake', 'sauce', 'kitchen', 'butter'],
  tech: ['laptop', 'software', 'server', 'keyboard', 'code', 'network', 'router', 'browser'],
};
export const TOPICS = Object.keys(WORDS);

/** `perClass` distinct multi-class rows per topic (`label,text`, no header), interleaved. */
export function topicsCsv(perClass: number): string {
  const rows: string[] = [];
  for (let i = 0; i < perClass; i++) {
    for (const [label, w] of Object.entries(WORDS)) rows.push(`${label},We talked about the ${w[i % 8]} and the ${w[(i * 3 + 1) % 8]} then the ${w[(i * 5 + 2) % 8]} (note ${i})`);
  }
  return `${rows.join('\n')}\n`;
}

/** 150 rows of multi-label CSV (`a|b,text`), deterministic. */
export function multiLabelTopicsCsv(): string {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows: string[] = [];
  for (let i = 0; i < 150; i++) {
    let ls = TOPICS.filter(() => rand() < 0.45);
    if (ls.length === 0) ls = [TOPICS[i % 3]!];
    const words = ls.flatMap((l) => [WORDS[l]![Math.floor(rand() * 8)]!, WORDS[l]![Math.floor(rand() * 8)]!]);
    rows.push(`"${ls.join('|')}",${words.join(' ')} today (n${i})`);
  }
  return `${rows.join('\n')}\n`;
}

/**
 * Imports a FHIR transaction Bundle through the FHIR REST API, as any client would, and gives the first patient an
 * active Acme coverage. Returns the stored patients.
 */
export async function importPatientsWithCoverage(server: TestServer, bundle: string): Promise<Array<{ id: string; name: string }>> {
  const tx = await fetch(`${server.baseUrl}/fhir/R4`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: bundle });
  expect(tx.status, await tx.clone().text()).toBe(200);
  const patients = await apiClient(server).get<{ items: Array<{ id: string; name: string }> }>('/fhir/patients');
  const patient = patients.items[0]!;
  const cov = await fetch(`${server.baseUrl}/fhir/R4/Coverage`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'Coverage',
      status: 'active',
      beneficiary: { reference: `Patient/${patient.id}` },
      payor: [{ display: 'Acme Health' }],
      class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] }, value: 'acme-standard', name: 'Acme Standard' }],
    }),
  });
  expect(cov.status, await cov.clone().text()).toBe(201);
  return patients.items;
}
