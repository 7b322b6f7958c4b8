/**
 * `sagebrush features …` — the feature store: create/list/show/delete groups, ingest records (a CSV, JSON Lines or
 * JSON file, or a dataset version as a job), the online value of a record id, its history, point-in-time retrieval of
 * an entity CSV, and the latest row per id (optionally filtered, e.g. --where status=APPROVED).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { deleteAndReport, runJob } from './requests.ts';
import { withTransport } from './session.ts';

const enc = encodeURIComponent;
const base = (group: string) => `/api/v1/feature-groups/${enc(group)}`;

interface Group { name: string; description: string; recordIdentifierFeature: string; eventTimeFeature: string; schemaVersion: number; features: { name: string; type: string }[]; updatedAt: string }
interface FeatureRecord { recordId: string; eventTime: string; writtenAt: string; values: Record<string, unknown> }
interface Retrieved { rows: number; matched: number; items: { recordId: string; timestamp: string; eventTime: string | null; values: Record<string, unknown> | null }[] }

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new CliError('FILE_NOT_FOUND', `${what} ${path} does not exist.`, 1);
  return readFileSync(path, 'utf8');
}

function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError('VALIDATION_FAILED', `${what} ${path} is not valid JSON: ${(err as Error).message}`, 1);
  }
}

const short = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? '' : s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** `status=APPROVED` → {status: "APPROVED"}; true/false/null and numbers are typed, `'…'` forces text. */
function parseWhere(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i < 1) throw new CliError('VALIDATION_FAILED', `--where ${p}: write feature=value (e.g. status=APPROVED).`, 1);
    const raw = p.slice(i + 1);
    out[p.slice(0, i)] = /^'.*'$/.test(raw) ? raw.slice(1, -1) : raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

function printRecords(items: FeatureRecord[]): void {
  const names = [...new Set(items.flatMap((r) => Object.keys(r.values)))].slice(0, 8);
  printTable(['recordId', 'eventTime', ...names], items.map((r) => [r.recordId, r.eventTime, ...names.map((n) => short(r.values[n]))]));
}

export function registerFeatureCommands(program: Command): void {
  const f = program.command('features').description('Feature store: groups, ingestion, online values, history, point-in-time retrieval');

  f.command('create <definition>').description('Create a feature group from a JSON file {name, recordIdentifierFeature, eventTimeFeature, features: [{name, type}]}').action(async (file: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const group = expectOk<Group>(await t.request('POST', '/api/v1/feature-groups', readJson(file, 'Definition file')));
      if (g.json) return printJson(group);
      process.stdout.write(`Created ${group.name} (schema version ${group.schemaVersion}, ${group.features.length} features). Ingest: sagebrush features ingest ${group.name} FILE\n`);
      return undefined;
    }),
  );

  f.command('list').description('List feature groups').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const { items } = expectOk<{ items: Group[] }>(await t.request('GET', '/api/v1/feature-groups'));
      if (g.json) return printJson(items);
      printTable(['name', 'record id', 'event time', 'features', 'schema', 'updated'], items.map((i) => [i.name, i.recordIdentifierFeature, i.eventTimeFeature, i.features.length, `v${i.schemaVersion}`, i.updatedAt]));
      return undefined;
    }),
  );

  f.command('show <group>').description('Show a group and its features').action(async (group: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const d = expectOk<Group>(await t.request('GET', base(group)));
      if (g.json) return printJson(d);
      process.stdout.write(`${d.name} · schema v${d.schemaVersion} · record id ${d.recordIdentifierFeature} · event time ${d.eventTimeFeature}\n${d.description}\n\n`);
      printTable(['feature', 'type'], d.features.map((x) => [x.name, x.type]));
      return undefined;
    }),
  );

  f.command('delete <group>').description('Delete a group with all its records').action(async (group: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => deleteAndReport(t, g, base(group), group)),
  );

  f.command('ingest <group> [file]')
    .description('Ingest records from a CSV (header = feature names), JSON Lines or JSON file, or --dataset NAME (a job); the whole file is checked first and nothing is stored on any error')
    .option('--dataset <name>', 'ingest a dataset version instead of a file')
    .option('--version <n>', 'dataset version (default: latest)', (v) => Number(v))
    .action(async (group: string, file: string | undefined, o: { dataset?: string; version?: number }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        let result: unknown;
        if (o.dataset) result = (await runJob(t, `${base(group)}/ingest-dataset`, { dataset: o.dataset, ...(o.version ? { version: o.version } : {}) }, !!g.json, 'ingest')).result;
        else if (file) result = expectOk(await t.request('POST', `${base(group)}/records`, file.endsWith('.json') ? readJson(file, 'Records file') : readText(file, 'Records file')));
        else throw new CliError('VALIDATION_FAILED', 'Pass a records FILE or --dataset NAME.', 1);
        if (g.json) return printJson(result);
        const r = result as { written: number; onlineUpdated: number };
        process.stdout.write(`Wrote ${r.written} record(s) to ${group}; ${r.onlineUpdated} online value(s) changed.\n`);
        return undefined;
      }),
    );

  f.command('get <group> <recordId>').description('The online (latest) value of a record id').action(async (group: string, id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const r = expectOk<FeatureRecord>(await t.request('GET', `${base(group)}/records/${enc(id)}`));
      if (g.json) return printJson(r);
      process.stdout.write(`${r.recordId} @ ${r.eventTime} (written ${r.writtenAt})\n`);
      printTable(['feature', 'value'], Object.entries(r.values).map(([k, v]) => [k, short(v)]));
      return undefined;
    }),
  );

  f.command('history <group> <recordId>').description('Every row written for a record id, oldest event first').action(async (group: string, id: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const h = expectOk<{ items: FeatureRecord[] }>(await t.request('GET', `${base(group)}/records/${enc(id)}/history`));
      if (g.json) return printJson(h);
      printRecords(h.items);
      return undefined;
    }),
  );

  f.command('retrieve <group> <entities>')
    .description('Point-in-time retrieval: a CSV of record_id,timestamp → feature values as of each timestamp (input order)')
    .option('--features <names>', 'comma-separated features (default: all)')
    .option('--ttl <seconds>', 'ignore rows older than this at the timestamp', (v) => Number(v))
    .option('--out <file>', 'write the result as JSON Lines to this file')
    .action(async (group: string, entities: string, o: { features?: string; ttl?: number; out?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const q = new URLSearchParams({ ...(o.features ? { features: o.features } : {}), ...(o.ttl ? { ttlSeconds: String(o.ttl) } : {}) }).toString();
        const r = expectOk<Retrieved>(await t.request('POST', `${base(group)}/retrieve${q ? `?${q}` : ''}`, readText(entities, 'Entity file')));
        if (o.out) writeFileSync(o.out, r.items.map((i) => JSON.stringify(i)).join('\n') + '\n');
        if (g.json) return printJson(o.out ? { rows: r.rows, matched: r.matched, out: o.out } : r);
        if (!o.out) printTable(['recordId', 'timestamp', 'eventTime', 'values'], r.items.slice(0, 50).map((i) => [i.recordId, i.timestamp, i.eventTime ?? '–', i.values ? short(i.values) : '–']));
        process.stdout.write(`${r.matched} of ${r.rows} entity row(s) matched${o.out ? `; written to ${o.out}` : r.rows > 50 ? ' (first 50 shown; --out FILE for all)' : ''}.\n`);
        return undefined;
      }),
    );

  f.command('latest <group>')
    .description('The latest row per record id, e.g. the latest approved label per image: --where status=APPROVED')
    .option('--where <feature=value...>', 'only rows with these values', (v: string, prev: string[] = []) => [...prev, v])
    .option('--as-of <time>', 'as of this time (ISO-8601 or epoch ms)')
    .option('--limit <n>', 'at most this many ids', (v) => Number(v))
    .action(async (group: string, o: { where?: string[]; asOf?: string; limit?: number }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const body = { ...(o.where ? { where: parseWhere(o.where) } : {}), ...(o.asOf ? { asOf: o.asOf } : {}), ...(o.limit ? { limit: o.limit } : {}) };
        const r = expectOk<{ items: FeatureRecord[]; nextCursor: string | null }>(await t.request('POST', `${base(group)}/latest`, body));
        if (g.json) return printJson(r);
        printRecords(r.items);
        return undefined;
      }),
    );
}
