import type { Command } from 'commander';
import { expectOk, printJson, printTable } from './output.ts';
import { deleteAndReport } from './requests.ts';
import { withTransport } from './session.ts';
import { registerModelRegistryCommands, resolveModelRef } from './modelRegistry.ts';

interface ModelVersion {
  id: string;
  name: string;
  version: number;
  kind: string;
  status: string;
  metrics: Record<string, unknown>;
  createdAt: string;
}
interface Endpoint {
  name: string;
  model: { name: string; version: number } | null;
  kind: string;
  status: string;
  createdAt: string;
}

const enc = encodeURIComponent;
const fmt = (x: unknown) => (typeof x === 'number' ? x.toFixed(4) : '');

function splitRef(ref: string): [string, string | undefined] {
  const m = /^(.+?)(?::(\d+))?$/.exec(ref)!;
  return [m[1]!, m[2]];
}

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('The model registry');
  models.command('list').option('--kind <kind>', 'e.g. text-classifier').action(async (o: { kind?: string }, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const page = expectOk<{ items: ModelVersion[] }>(await t.request('GET', `/api/v1/models?limit=200${o.kind ? `&kind=${enc(o.kind)}` : ''}`));
      if (g.json) return printJson(page);
      printTable(['model', 'kind', 'status', 'macro F1', 'mean AUC', 'created'], page.items.map((m) => [`${m.name}:${m.version}`, m.kind, m.status, fmt(m.metrics.macro_f1), fmt(m.metrics.mean_auc), m.createdAt]));
    }),
  );
  models.command('show <model>').description('MODEL, MODEL:VERSION or MODEL@alias').action(async (ref: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t) => {
      const { name, version } = await resolveModelRef(t, ref);
      const path = version !== undefined ? `/api/v1/models/${enc(name)}/versions/${version}` : `/api/v1/models/${enc(name)}`;
      printJson(expectOk(await t.request('GET', path)));
    }),
  );
  models.command('delete <model>').description('MODEL:VERSION, or MODEL for every version').action(async (ref: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const [name, version] = splitRef(ref);
      await deleteAndReport(t, g, version ? `/api/v1/models/${enc(name)}/versions/${version}` : `/api/v1/models/${enc(name)}`, ref);
    }),
  );
  registerModelRegistryCommands(models);

  const endpoints = program.command('endpoints').description('Real-time endpoints');
  endpoints.command('create <name> <model>').description('Serve MODEL[:VERSION] as endpoint NAME').action(async (name: string, model: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const ep = expectOk<Endpoint>(await t.request('POST', '/api/v1/endpoints', { name, model }));
      if (g.json) printJson(ep);
      else process.stdout.write(`endpoint ${ep.name} serves ${ep.model?.name}:${ep.model?.version}\n`);
    }),
  );
  endpoints.command('list').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const page = expectOk<{ items: Endpoint[] }>(await t.request('GET', '/api/v1/endpoints?limit=200'));
      if (g.json) return printJson(page);
      printTable(['name', 'model', 'kind', 'status', 'created'], page.items.map((e) => [e.name, e.model ? `${e.model.name}:${e.model.version}` : '(deleted)', e.kind, e.status, e.createdAt]));
    }),
  );
  endpoints.command('delete <name>').action(async (name: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, (t, g) => deleteAndReport(t, g, `/api/v1/endpoints/${enc(name)}`, name)),
  );
  endpoints.command('classify <name> <text...>').description('Classify one text with a text-classifier endpoint').action(async (name: string, words: string[], _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t) => {
      printJson(expectOk(await t.request('POST', `/api/v1/endpoints/${enc(name)}/classify`, { Text: words.join(' ') })));
    }),
  );
}
