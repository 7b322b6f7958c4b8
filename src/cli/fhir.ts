/**
 * `sagebrush fhir …` — the embedded FHIR R4 store: `import` loads Synthea-style Bundles (.json or .json.gz,
 * each file all or nothing, ids kept) and can add a Coverage per patient; `patients` lists the stored patients.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { ImportResult as StoreImportResult, PatientSummary } from '../domains/fhir/service.ts';
import { CliError, expectOk, printJson, printTable, toCliError } from './output.ts';
import { withTransport } from './session.ts';

/** What POST /api/v1/fhir/import answers: the store's import result plus the request's size and time. */
interface ImportResult extends StoreImportResult {
  entries: number;
  elapsedMs: number;
}

/** Reads a bundle file; gzip is detected by its magic bytes, not only the .gz name. */
export function readBundleFile(file: string): unknown {
  const raw = readFileSync(file);
  const gz = raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  let text: string;
  try {
    text = (gz ? gunzipSync(raw) : raw).toString('utf8');
  } catch (err) {
    throw new CliError('FHIR_BUNDLE_INVALID', `${file} is not a readable gzip file: ${(err as Error).message}`, 1);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError('FHIR_BUNDLE_INVALID', `${file} is not JSON: ${(err as Error).message}`, 1, [{ field: file, problem: 'not JSON', fix: 'Import FHIR JSON Bundles (.json or .json.gz).' }]);
  }
}

export function registerFhirCommands(program: Command): void {
  const fhir = program.command('fhir').description('The embedded FHIR R4 store: import Synthea bundles, list patients');

  fhir
    .command('import <files...>')
    .description('Import FHIR transaction/collection Bundles (.json, .json.gz); each file is all or nothing and keeps its resource ids')
    .option('--with-coverage <payer>', 'add an active Coverage with this payer for every imported patient (Synthea bundles have none)')
    .option('--plan <ids>', 'plan id(s) for --with-coverage, comma-separated and spread over the patients (default <payer>-standard)')
    .action(async (files: string[], o: { withCoverage?: string; plan?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const query = new URLSearchParams();
        if (o.withCoverage) query.set('withCoverage', o.withCoverage);
        if (o.plan) query.set('plans', o.plan);
        if (o.plan && !o.withCoverage) throw new CliError('VALIDATION_FAILED', '--plan needs --with-coverage PAYER.', 1);
        const qs = query.toString() ? `?${query.toString()}` : '';
        const bar = !g.json && process.stderr.isTTY && files.length > 1
          ? new cliProgress.SingleBar({ format: 'import [{bar}] {value}/{total} files | {resources} resources | {file}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
          : undefined;
        bar?.start(files.length, 0, { resources: 0, file: '' });
        const done: Array<{ file: string } & ImportResult> = [];
        const failed: Array<{ file: string; code: string; message: string }> = [];
        const started = Date.now();
        let resources = 0;
        for (const file of files) {
          try {
            const bundle = readBundleFile(file);
            const r = expectOk<ImportResult>(await t.request('POST', `/api/v1/fhir/import${qs}`, bundle));
            done.push({ file, ...r });
            resources += r.entries + r.coverages;
            if (!bar && !g.json) {
              process.stderr.write(`${basename(file)}: ${r.entries} entries → ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged${r.coverages ? `, ${r.coverages} coverage(s)` : ''} (${(r.elapsedMs / 1000).toFixed(1)} s)\n`);
            }
          } catch (err) {
            const e = toCliError(err);
            failed.push({ file, code: e.code, message: e.message });
            if (!g.json) process.stderr.write(`${basename(file)}: error ${e.code}: ${e.message}\n`);
            for (const p of e.problems.slice(0, 10)) if (!g.json) process.stderr.write(`  - ${p.field ? `${p.field}: ` : ''}${p.problem} → ${p.fix}\n`);
          }
          bar?.increment(1, { resources, file: basename(file) });
        }
        bar?.stop();
        const seconds = (Date.now() - started) / 1000;
        const totals = {
          files: files.length,
          imported: done.length,
          failed: failed.length,
          created: done.reduce((a, r) => a + r.created, 0),
          updated: done.reduce((a, r) => a + r.updated, 0),
          unchanged: done.reduce((a, r) => a + r.unchanged, 0),
          coverages: done.reduce((a, r) => a + r.coverages, 0),
          patients: done.reduce((a, r) => a + r.patients.length, 0),
          resources,
          seconds: Number(seconds.toFixed(2)),
          resourcesPerSecond: seconds > 0 ? Math.round(resources / seconds) : resources,
        };
        const byType: Record<string, number> = {};
        for (const r of done) for (const [k, v] of Object.entries(r.byType)) byType[k] = (byType[k] ?? 0) + v;
        if (g.json) printJson({ totals, byType, files: done, failures: failed });
        else {
          process.stdout.write(`imported ${totals.imported}/${totals.files} file(s): ${totals.patients} patient(s), ${totals.resources} resources (${totals.created} created, ${totals.updated} updated, ${totals.unchanged} unchanged), ${totals.coverages} coverage(s) in ${totals.seconds} s (${totals.resourcesPerSecond} resources/s)\n`);
          printTable(['type', 'count'], Object.entries(byType).sort((a, b) => b[1] - a[1]));
        }
        if (failed.length) {
          throw new CliError(failed[0]!.code, `${failed.length} of ${files.length} file(s) failed to import (nothing from those files was stored): ${failed.map((f) => basename(f.file)).join(', ')}`, 1);
        }
      }),
    );

  fhir
    .command('patients')
    .description('List the patients in the FHIR store with their active coverage')
    .option('--name <text>', 'name search (prefix of any part of the name)')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <c>', 'nextCursor of the previous page')
    .action(async (o: { name?: string; limit: string; cursor?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const q = new URLSearchParams({ limit: o.limit });
        if (o.name) q.set('name', o.name);
        if (o.cursor) q.set('cursor', o.cursor);
        const page = expectOk<{ items: PatientSummary[]; nextCursor: string | null }>(await t.request('GET', `/api/v1/fhir/patients?${q.toString()}`));
        if (g.json) return printJson(page);
        printTable(['id', 'name', 'birthDate', 'gender', 'coverage'], page.items.map((p) => [p.id, p.name, p.birthDate, p.gender, p.coverage]));
        if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
      }),
    );
}
