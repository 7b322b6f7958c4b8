/**
 * `sagebrush models approve|reject|approval|alias|tag|card|deploy-on-approval` — registry governance: approval status
 * with a reason (recorded under the API token's name), aliases (`champion`, `challenger`, any name; `NAME@alias`
 * works wherever a model is named), tags, the model card, and the endpoint an approval deploys to.
 */
import type { Command } from 'commander';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { deleteAndReport } from './requests.ts';
import type { Transport } from './transport.ts';
import { withTransport, type GlobalOptions } from './session.ts';

const enc = encodeURIComponent;

interface Approval { model: { name: string; version: number }; status: string; updatedBy: string | null; updatedAt: string | null; reason: string; deployment?: { endpoint: string; action: string; error?: { code: string; message: string } } }
interface History { status: string; previousStatus: string; by: string; at: string; reason: string }

/**
 * NAME, NAME:VERSION or NAME@alias → the model's name and version (none for a bare NAME). An alias is looked up in
 * the model's alias list (GET /models/{name}/aliases), so `models show churn@champion` names the version it points to.
 */
export async function resolveModelRef(t: Transport, ref: string): Promise<{ name: string; version?: number }> {
  const at = /^([^:@]+)@([^:@]+)$/.exec(ref);
  if (at) {
    const [, name, alias] = at as unknown as [string, string, string];
    const list = expectOk<{ items: Array<{ alias: string; version: number }> }>(await t.request('GET', `/api/v1/models/${enc(name)}/aliases`));
    const hit = list.items.find((a) => a.alias === alias);
    if (!hit) {
      throw new CliError('MODEL_ALIAS_NOT_FOUND', `Model "${name}" has no alias "${alias}".`, 1, [{ field: 'model', problem: `no alias "${alias}"`, fix: `List its aliases with: sagebrush models alias list ${name} (or name a version, ${name}:N).` }]);
    }
    return { name, version: hit.version };
  }
  const m = /^([^:@]+)(?::(\d+))?$/.exec(ref);
  if (!m) throw new CliError('BAD_REQUEST', `"${ref}" is not NAME, NAME:VERSION or NAME@alias (e.g. churn:3, churn@champion).`, 1);
  return { name: m[1]!, ...(m[2] ? { version: Number(m[2]) } : {}) };
}

/** NAME:VERSION or NAME@alias → the version's API path (a version is required: governance is per version). */
async function versionPath(t: Transport, ref: string): Promise<string> {
  const { name, version } = await resolveModelRef(t, ref);
  if (version === undefined) throw new CliError('BAD_REQUEST', `"${ref}" is not NAME:VERSION or NAME@alias (e.g. churn:3, churn@champion).`, 1);
  return `/api/v1/models/${enc(name)}/versions/${version}`;
}

async function setApproval(t: Transport, g: GlobalOptions, ref: string, status: string, reason?: string): Promise<void> {
  const out = expectOk<Approval>(await t.request('PUT', `${await versionPath(t, ref)}/approval`, { status, ...(reason !== undefined ? { reason } : {}) }));
  if (g.json) return printJson(out);
  process.stdout.write(`${out.model.name}:${out.model.version} is ${out.status} (by ${out.updatedBy})\n`);
  const d = out.deployment;
  if (d) process.stdout.write(d.action === 'failed' ? `deployment to endpoint ${d.endpoint} failed: ${d.error?.code} ${d.error?.message}\n` : `endpoint ${d.endpoint} ${d.action}: serves ${out.model.name}:${out.model.version}\n`);
}

export function registerModelRegistryCommands(models: Command): void {
  models.command('approve <model>').description('Approve MODEL:VERSION (deploys it when the model has deploy-on-approval)').option('--reason <text>', 'why (kept in the history)')
    .action(async (ref: string, o: { reason?: string }, cmd: Command) => withTransport(cmd, (t, g) => setApproval(t, g, ref, 'Approved', o.reason)));
  models.command('reject <model>').description('Reject MODEL:VERSION').requiredOption('--reason <text>', 'why (required)')
    .action(async (ref: string, o: { reason: string }, cmd: Command) => withTransport(cmd, (t, g) => setApproval(t, g, ref, 'Rejected', o.reason)));
  models.command('approval <model>').description('Approval status and history of MODEL:VERSION').action(async (ref: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const out = expectOk<Approval & { history: History[] }>(await t.request('GET', `${await versionPath(t, ref)}/approval`));
      if (g.json) return printJson(out);
      process.stdout.write(`${ref}: ${out.status}\n`);
      printTable(['at', 'by', 'from', 'to', 'reason'], out.history.map((h) => [h.at, h.by, h.previousStatus, h.status, h.reason]));
    }),
  );

  const alias = models.command('alias').description('Aliases: one version per alias name');
  alias.command('set <name> <alias> <version>').description('Point ALIAS of model NAME at VERSION (moves it)').action(async (name: string, a: string, version: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const out = expectOk<{ alias: string; version: number; previousVersion: number | null }>(await t.request('PUT', `/api/v1/models/${enc(name)}/aliases/${enc(a)}`, { version: Number(version) }));
      if (g.json) return printJson(out);
      process.stdout.write(`${name}@${out.alias} → version ${out.version}${out.previousVersion !== null && out.previousVersion !== out.version ? ` (was ${out.previousVersion})` : ''}\n`);
    }),
  );
  alias.command('delete <name> <alias>').action(async (name: string, a: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, (t, g) => deleteAndReport(t, g, `/api/v1/models/${enc(name)}/aliases/${enc(a)}`, `${name}@${a}`)),
  );
  alias.command('list <name>').action(async (name: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const out = expectOk<{ items: Array<{ alias: string; version: number; updatedBy: string; updatedAt: string }> }>(await t.request('GET', `/api/v1/models/${enc(name)}/aliases`));
      if (g.json) return printJson(out);
      printTable(['alias', 'version', 'by', 'at'], out.items.map((a) => [a.alias, a.version, a.updatedBy, a.updatedAt]));
    }),
  );

  models.command('tag <model> [pairs...]').description('Set KEY=VALUE tags on MODEL:VERSION (none: list them)').option('--delete <key>', 'remove a tag')
    .action(async (ref: string, pairs: string[], o: { delete?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const path = `${await versionPath(t, ref)}/tags`;
        if (o.delete) {
          const res = await t.request('DELETE', `${path}/${enc(o.delete)}`);
          if (res.status !== 204) expectOk(res);
        }
        const tags = Object.fromEntries(pairs.map((p) => {
          const i = p.indexOf('=');
          if (i <= 0) throw new CliError('BAD_REQUEST', `"${p}" is not KEY=VALUE.`, 1);
          return [p.slice(0, i), p.slice(i + 1)];
        }));
        const out = expectOk<{ tags: Record<string, string> }>(pairs.length ? await t.request('PUT', path, { tags }) : await t.request('GET', path));
        if (g.json) return printJson(out);
        printTable(['key', 'value'], Object.entries(out.tags));
      }),
    );

  models.command('card <model>').description('Show the model card of MODEL:VERSION, or write its text with the options')
    .option('--description <text>').option('--intended-use <text>').option('--limitations <text>')
    .action(async (ref: string, o: { description?: string; intendedUse?: string; limitations?: string }, cmd: Command) =>
      withTransport(cmd, async (t) => {
        const body = { description: o.description, intendedUse: o.intendedUse, limitations: o.limitations };
        const write = Object.values(body).some((v) => v !== undefined);
        const path = `${await versionPath(t, ref)}/card`;
        printJson(expectOk(write ? await t.request('PUT', path, JSON.parse(JSON.stringify(body))) : await t.request('GET', path)));
      }),
    );

  models.command('deploy-on-approval <name> [endpoint]').description('When a version of NAME is approved, create or re-point ENDPOINT to it').option('--off', 'stop deploying on approval')
    .action(async (name: string, endpoint: string | undefined, o: { off?: boolean }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        if (!endpoint && !o.off) throw new CliError('BAD_REQUEST', 'Name the endpoint, or pass --off.', 1);
        const out = expectOk<{ deployOnApproval: { endpoint: string } | null }>(await t.request('PUT', `/api/v1/models/${enc(name)}/settings`, { deployOnApproval: o.off ? null : { endpoint } }));
        if (g.json) return printJson(out);
        process.stdout.write(out.deployOnApproval ? `approving a version of ${name} deploys it to endpoint ${out.deployOnApproval.endpoint}\n` : `approvals of ${name} deploy nothing\n`);
      }),
    );
}
