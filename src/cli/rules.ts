/**
 * `sagebrush rules …` — the CQL payer rule catalog: list, add (a .cql file compiled on the server, or ELM .json),
 * show, enable/disable, delete, test on a patient and an order, and the table-driven policy (get / set from CSV or JSON).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { withTransport } from './session.ts';

const enc = encodeURIComponent;

interface Summary { name: string; version: string; kind: string; status: string; builtin: boolean; description: string }
interface Detail extends Summary { cql: string | null; expressions: { name: string; type: string; isFunction: boolean }[]; includes: { name: string; version: string | null }[] }
interface Decision { covered: string; paNeeded?: string; docNeeded?: string[]; summary: string; detail?: string; rules: { library: string }[] }
interface TestResult { library: string; results: Record<string, unknown>; decision: Decision | null; findings: { summary: string; indicator: string }[]; elapsedMs: number; fastPath?: { compiled: boolean; reason?: string } }

function readFile(path: string, what: string): string {
  if (!existsSync(path)) throw new CliError('FILE_NOT_FOUND', `${what} ${path} does not exist.`, 1);
  return readFileSync(path, 'utf8');
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFile(path, what));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('VALIDATION_FAILED', `${what} ${path} is not valid JSON: ${(err as Error).message}`, 1);
  }
}

const short = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? '' : s.length > 100 ? `${s.slice(0, 97)}…` : s;
};

export function registerRuleCommands(program: Command): void {
  const rules = program.command('rules').description('CQL payer rules (prior authorization): catalog, test on a patient, policy table');

  rules.command('list').description('List rule libraries with kind (order | patient | helper) and status').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const { items } = expectOk<{ items: Summary[] }>(await t.request('GET', '/api/v1/rules'));
      if (g.json) return printJson(items);
      printTable(['name', 'version', 'kind', 'status', 'built-in', 'description'], items.map((i) => [i.name, i.version, i.kind, i.status, i.builtin ? 'yes' : '', i.description]));
      return undefined;
    }),
  );

  rules
    .command('add <file>')
    .description('Upload a CQL library (.cql, compiled on the server; errors list line:column) or ELM JSON (.json); new libraries start disabled')
    .option('--description <text>', 'what the rule is for')
    .action(async (file: string, o: { description?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const text = readFile(file, 'Library file');
        const body = file.endsWith('.json') ? { elm: readJson(file, 'ELM file') } : { cql: text };
        const d = expectOk<Detail>(await t.request('POST', '/api/v1/rules', { ...body, ...(o.description ? { description: o.description } : {}) }));
        if (g.json) return printJson(d);
        process.stdout.write(`Added ${d.name} ${d.version} (${d.kind}, ${d.status}). Test it: sagebrush rules test ${d.name} --patient ID --order FILE; then: sagebrush rules enable ${d.name}\n`);
        return undefined;
      }),
    );

  rules.command('show <name>').description('Show a library: includes, expressions with types, and the CQL').action(async (name: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const d = expectOk<Detail>(await t.request('GET', `/api/v1/rules/${enc(name)}`));
      if (g.json) return printJson(d);
      process.stdout.write(`${d.name} ${d.version} · ${d.kind} · ${d.status}${d.builtin ? ' · built-in' : ''}\n${d.description}\n`);
      if (d.includes.length) process.stdout.write(`includes: ${d.includes.map((i) => `${i.name} ${i.version ?? ''}`.trim()).join(', ')}\n`);
      process.stdout.write('\n');
      printTable(['expression', 'type'], d.expressions.filter((e) => !e.isFunction).map((e) => [e.name, e.type]));
      if (d.cql && d.expressions.length < 40) process.stdout.write(`\n${d.cql}\n`);
      return undefined;
    }),
  );

  for (const status of ['enabled', 'disabled'] as const) {
    const verb = status === 'enabled' ? 'enable' : 'disable';
    rules.command(`${verb} <name>`).description(`${verb[0]!.toUpperCase()}${verb.slice(1)} a library for the CDS hooks`).action(async (name: string, _o: unknown, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const s = expectOk<Summary>(await t.request('PATCH', `/api/v1/rules/${enc(name)}`, { status }));
        if (g.json) return printJson(s);
        process.stdout.write(`${s.name} is ${s.status}.\n`);
        return undefined;
      }),
    );
  }

  rules.command('delete <name>').description('Delete an uploaded library').action(async (name: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const res = await t.request('DELETE', `/api/v1/rules/${enc(name)}`);
      if (res.status !== 204) expectOk(res);
      if (g.json) return printJson({ deleted: name });
      process.stdout.write(`Deleted ${name}.\n`);
      return undefined;
    }),
  );

  rules
    .command('test <name>')
    .description('Run a library on a patient and a draft order: every expression result and the coverage decision')
    .option('--patient <id>', 'patient id in the FHIR store')
    .option('--bundle <file>', 'or a FHIR Bundle JSON file with the patient data')
    .requiredOption('--order <file>', 'the draft order as FHIR JSON (MedicationRequest, ServiceRequest, …)')
    .option('--coverage <file>', "a Coverage JSON file (default: the patient's active Coverage)")
    .option('--no-coverage', 'test as if the patient had no coverage')
    .action(async (name: string, o: { patient?: string; bundle?: string; order: string; coverage?: string | false }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        if (!o.patient && !o.bundle) throw new CliError('VALIDATION_FAILED', 'Pass --patient ID (a stored patient) or --bundle FILE.', 1);
        const body = {
          ...(o.patient ? { patientId: o.patient } : {}),
          ...(o.bundle ? { patientBundle: readJson(o.bundle, 'Bundle file') } : {}),
          order: readJson(o.order, 'Order file'),
          ...(o.coverage === false ? { coverage: null } : typeof o.coverage === 'string' ? { coverage: readJson(o.coverage, 'Coverage file') } : {}),
        };
        const r = expectOk<TestResult>(await t.request('POST', `/api/v1/rules/${enc(name)}/test`, body));
        if (g.json) return printJson(r);
        printTable(['expression', 'value'], Object.entries(r.results).map(([k, v]) => [k, short(v)]));
        if (r.decision) {
          const d = r.decision;
          process.stdout.write(`\nDecision: ${d.covered}${d.paNeeded ? ` · ${d.paNeeded}` : ''}${d.docNeeded?.length ? ` · doc-needed ${d.docNeeded.join(', ')}` : ''}\n${d.summary}\n`);
          if (d.detail) process.stdout.write(`${d.detail}\n`);
        }
        for (const f of r.findings) process.stdout.write(`[${f.indicator}] ${f.summary}\n`);
        process.stdout.write(`(${r.elapsedMs} ms)\n`);
        // how the CDS hooks run it: compiled (ADR 0007) or, for a library the compiler does not cover, on cql-execution
        if (r.fastPath) process.stdout.write(r.fastPath.compiled ? 'CDS hooks: compiled evaluator\n' : `CDS hooks: cql-execution (not compiled: ${r.fastPath.reason ?? 'unknown'})\n`);
        return undefined;
      }),
    );

  const policy = rules.command('policy').description('The table-driven policy: codes per payer plan that need PA, documentation, nothing, or are not covered');
  policy.command('show').description('Print the policy table').action(async (_o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const p = expectOk<{ rows: Record<string, string>[]; updatedAt: string | null }>(await t.request('GET', '/api/v1/rules/policy'));
      if (g.json) return printJson(p);
      printTable(['plan', 'system', 'code', 'display', 'requirement', 'docNeeded', 'note'], p.rows.map((r) => [r.plan, r.system, r.code, r.display, r.requirement, r.docNeeded, r.note]));
      return undefined;
    }),
  );
  policy.command('set <file>').description('Replace the policy table from a CSV (header plan,system,code,display,requirement,docNeeded,note) or JSON file').action(async (file: string, _o: unknown, cmd: Command) =>
    withTransport(cmd, async (t, g) => {
      const text = readFile(file, 'Policy file');
      const body: unknown = file.endsWith('.json') ? readJson(file, 'Policy file') : text;
      const p = expectOk<{ rows: unknown[] }>(await t.request('PUT', '/api/v1/rules/policy', body));
      if (g.json) return printJson(p);
      process.stdout.write(`Policy table replaced: ${p.rows.length} row(s).\n`);
      return undefined;
    }),
  );
}
