/**
 * Seeds a fresh data directory with the bundled examples, as the README's tours do: a trained and tuned text
 * classifier, an image quick build, an LLM endpoint, FHIR patients and a CDS call (CLI on the embedded store, before
 * the server starts); then, through the running server's API, a text endpoint with a few calls and an LLM summary.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './server.ts';

const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function cli(dataDir: string, args: string[]): void {
  console.log(`$ sagebrush ${args.join(' ')}`);
  execFileSync(process.execPath, [TSX, 'src/cli/main.ts', '--data-dir', dataDir, ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export function seedWithCli(dataDir: string): void {
  cli(dataDir, ['datasets', 'import', 'examples/text/jigsaw-toxic-1k.csv']);
  cli(dataDir, ['text', 'train', 'examples/text/jigsaw-toxic-1k.csv', '--mode', 'multi-label', '--name', 'toxicity']);
  cli(dataDir, ['text', 'tune', 'toxicity:1']);
  // A second version with balanced class weights, for the version comparison page.
  cli(dataDir, ['text', 'train', 'examples/text/jigsaw-toxic-1k.csv', '--mode', 'multi-label', '--name', 'toxicity', '--class-weight', 'balanced']);
  cli(dataDir, ['images', 'train', 'examples/images/ham10000', '--name', 'skin', '--group-column', 'lesion_id', '--label-column', 'dx']);
  cli(dataDir, ['llm', 'register', 'examples/llm/stories260K.gguf', '--name', 'stories']);
  cli(dataDir, ['llm', 'deploy', 'stories', '--name', 'stories']);
  const bundles = readdirSync(join(ROOT, 'examples/fhir')).filter((f) => f.endsWith('.json.gz')).map((f) => `examples/fhir/${f}`);
  cli(dataDir, ['fhir', 'import', ...bundles, '--with-coverage', 'Acme Health']);
  // Clemente Kreiger has no sinusitis on record: the payer's CQL rules ask for prior authorization.
  cli(dataDir, ['cds', 'call', 'order-sign', '--patient', 'd78af07c-9cb9-4f31-9b11-c45a28f2eec8', '--order', 'amoxicillin']);
}

async function call<T>(baseUrl: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${body === undefined ? 'GET' : 'POST'} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function waitForJob(baseUrl: string, id: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await call<{ status: string }>(baseUrl, `/jobs/${id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(status) || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface Seeded {
  trainJobId: string | null;
  summaryJobId: string | null;
}

export async function seedWithApi(baseUrl: string): Promise<Seeded> {
  await call(baseUrl, '/endpoints', { name: 'toxicity', model: 'toxicity:1' });
  for (const Text of ['Thanks for fixing the citation, great work.', 'Shut up, you pathetic idiot.', 'Please stop vandalising this page or you will be blocked.']) {
    await call(baseUrl, '/endpoints/toxicity/classify', { Text });
  }
  const text = readFileSync(join(ROOT, 'examples/text/sumpubmed-8.txt'), 'utf8');
  let summaryJobId: string | null = null;
  try {
    const { job } = await call<{ job: { id: string } }>(baseUrl, '/summarize', { text, engine: { endpoint: 'stories' }, mode: 'map-reduce' });
    summaryJobId = job.id;
    console.log(`summary through the stories endpoint: ${await waitForJob(baseUrl, job.id, 180_000)}`);
  } catch (err) {
    console.warn(`LLM summary not available (${String(err)}); using the extractive engine`);
    const { job } = await call<{ job: { id: string } }>(baseUrl, '/summarize', { text, engine: 'extractive', maxWords: 80 });
    summaryJobId = job.id;
    await waitForJob(baseUrl, job.id, 60_000);
  }
  const jobs = await call<{ items: Array<{ id: string; type: string }> }>(baseUrl, '/jobs?limit=100');
  return { trainJobId: jobs.items.find((j) => j.type === 'text.train')?.id ?? null, summaryJobId };
}
