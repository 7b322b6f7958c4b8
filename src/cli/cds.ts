/**
 * `sagebrush cds …` — CDS Hooks from the command line: `call` builds the hook request an EHR would send for a
 * stored patient and a draft order (a JSON file or a sample id), calls the service, and prints the cards and the
 * CRD coverage information; `services` lists the discovery document; `calls` the audit log.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { withTransport } from './session.ts';

interface TryResult {
  serviceId: string;
  status: number;
  request: unknown;
  response: {
    cards?: Array<{ uuid?: string; summary: string; indicator: string; detail?: string; source: { label: string; topic?: { code?: string } }; suggestions?: Array<{ label: string }>; links?: Array<{ label: string; url: string; type: string }> }>;
    systemActions?: unknown[];
    resourceType?: string;
    issue?: Array<{ diagnostics?: string; details?: { coding?: Array<{ code?: string }> } }>;
  };
  durationMs: number | null;
  prefetch: Record<string, string>;
  coverageInformation: Array<{ resource: string; items: Array<Record<string, string[]>> }>;
}

const HOOKS = ['order-sign', 'order-select', 'order-dispatch', 'patient-view', 'appointment-book'];

function readOrder(value: string | undefined, samples: Array<{ id: string; resource: unknown }>): unknown {
  if (value === undefined) return undefined;
  const sample = samples.find((s) => s.id === value);
  if (sample) return sample.resource;
  if (!existsSync(value)) throw new CliError('FILE_NOT_FOUND', `${value} is neither a file nor a sample order (${samples.map((s) => s.id).join(', ')}).`, 1);
  try {
    return JSON.parse(readFileSync(value, 'utf8'));
  } catch (err) {
    throw new CliError('VALIDATION_FAILED', `${value} is not valid JSON: ${(err as Error).message}`, 1);
  }
}

export function registerCdsCommands(program: Command): void {
  const cds = program.command('cds').description('CDS Hooks 2.0 / Da Vinci CRD: call the services, list them, read the audit log');

  cds
    .command('call <hook>')
    .description(`Call a CDS service as an EHR would, for a stored patient (hooks: ${HOOKS.join(', ')})`)
    .requiredOption('--patient <id>', 'patient id in the FHIR store')
    .option('--order <file|sample>', 'draft order: a FHIR JSON file (MedicationRequest, ServiceRequest, …) or a sample id (amoxicillin, mri-lumbar, physical-therapy); default amoxicillin')
    .option('--service <id>', 'service id (default: the service for the hook, e.g. order-sign-crd)')
    .option('--no-prefetch', 'send no prefetch, so the service fetches the data itself')
    .action(async (hook: string, o: { patient: string; order?: string; service?: string; prefetch: boolean }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        if (!HOOKS.includes(hook)) throw new CliError('VALIDATION_FAILED', `Unknown hook ${hook}; use one of ${HOOKS.join(', ')}.`, 1);
        const samples = expectOk<{ items: Array<{ id: string; resource: unknown }> }>(await t.request('GET', '/api/v1/cds/samples')).items;
        const order = readOrder(o.order, samples);
        const r = expectOk<TryResult>(await t.request('POST', '/api/v1/cds/try', { hook, patientId: o.patient, ...(order ? { order } : {}), ...(o.service ? { serviceId: o.service } : {}), prefetch: o.prefetch }));
        if (g.json) return printJson(r);
        if (r.status !== 200) {
          const issue = r.response.issue?.[0];
          throw new CliError(issue?.details?.coding?.[0]?.code ?? `HTTP_${r.status}`, issue?.diagnostics ?? `The service answered ${r.status}.`, 1);
        }
        const cards = r.response.cards ?? [];
        process.stdout.write(`${r.serviceId} · HTTP ${r.status} · ${cards.length} card(s), ${r.response.systemActions?.length ?? 0} system action(s) · ${r.durationMs?.toFixed(1)} ms\n`);
        process.stdout.write(`prefetch: ${Object.entries(r.prefetch).map(([k, v]) => `${k}=${v}`).join(', ')}\n\n`);
        for (const c of cards) {
          process.stdout.write(`[${c.indicator.toUpperCase()}] ${c.summary}\n  source: ${c.source.label}${c.source.topic?.code ? ` (${c.source.topic.code})` : ''}\n`);
          if (c.detail) process.stdout.write(`${c.detail.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
          for (const s of c.suggestions ?? []) process.stdout.write(`  suggestion: ${s.label}\n`);
          for (const l of c.links ?? []) process.stdout.write(`  link (${l.type}): ${l.label} <${l.url}>\n`);
          process.stdout.write('\n');
        }
        if (r.coverageInformation.length) {
          process.stdout.write('Coverage information (system actions):\n');
          const one = (v: string[] | undefined) => (v ?? []).join(', ');
          printTable(
            ['order', 'covered', 'pa-needed', 'doc-needed', 'billing codes', 'reason', 'coverage', 'date', 'assertion id'],
            r.coverageInformation.flatMap((a) => a.items.map((i) => [a.resource, one(i.covered), one(i['pa-needed']), one(i['doc-needed']), one(i.billingCode?.map((b) => b.split('|')[1] ?? b)), one(i.reason), one(i.coverage), one(i.date), one(i['coverage-assertion-id'])])),
          );
        } else if (cards.length === 0) process.stdout.write('No cards and no coverage information ({"cards": []}).\n');
        return undefined;
      }),
    );

  cds
    .command('services')
    .description('List the CDS services (discovery)')
    .action(async (_o: unknown, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const d = expectOk<{ services: Array<{ id: string; hook: string; title: string; prefetch?: Record<string, string> }> }>(await t.request('GET', '/api/v1/cds/services'));
        if (g.json) return printJson(d);
        printTable(['id', 'hook', 'title', 'prefetch'], d.services.map((s) => [s.id, s.hook, s.title, Object.keys(s.prefetch ?? {}).join(', ')]));
        return undefined;
      }),
    );

  cds
    .command('calls')
    .description('The hook-call audit log, newest first')
    .option('--limit <n>', 'how many', '20')
    .action(async (o: { limit: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const d = expectOk<{ items: Array<{ id: string; serviceId: string; hookInstance: string; status: number; durationMs: number; cards: number; systemActions: number; createdAt: string }> }>(await t.request('GET', `/api/v1/cds/calls?limit=${encodeURIComponent(o.limit)}`));
        if (g.json) return printJson(d);
        printTable(['id', 'service', 'status', 'ms', 'cards', 'actions', 'at'], d.items.map((c) => [c.id, c.serviceId, c.status, c.durationMs.toFixed(1), c.cards, c.systemActions, c.createdAt]));
        return undefined;
      }),
    );
}
