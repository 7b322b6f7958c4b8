/**
 * Prediction-quality commands under `sagebrush text`: tune (per-label thresholds / abstain level, before/after),
 * decision (show, set, reset), sweep, learning-curve, noisy-labels and edit-dataset. DATASET arguments are a
 * dataset name/id already imported, or a file path that is imported first. Every command has --json.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { importDataset } from './datasets.ts';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { followJobOrThrow, runJob } from './requests.ts';
import { withTransport } from './session.ts';
import { formatBody, splitBody, withFormatOptions, withSplitOptions, type FormatOptions, type SplitOptions, type TextMetrics } from './textOptions.ts';
import type { Transport } from './transport.ts';

const enc = encodeURIComponent;

interface ModelVersionRef {
  name: string;
  version: number;
}

/** NAME[:VERSION] → a concrete version (the latest ready one when VERSION is left out). */
async function resolveModel(t: Transport, ref: string): Promise<ModelVersionRef> {
  const m = /^(.+?)(?::(\d+))?$/.exec(ref.trim());
  if (!m) throw new CliError('BAD_REQUEST', `Bad model reference "${ref}"; use NAME or NAME:VERSION.`, 1);
  if (m[2] !== undefined) return { name: m[1]!, version: Number(m[2]) };
  const model = expectOk<{ versions: Array<{ version: number; status: string }> }>(await t.request('GET', `/api/v1/models/${enc(m[1]!)}`));
  const ready = model.versions.filter((v) => v.status === 'ready').map((v) => v.version);
  if (ready.length === 0) throw new CliError('MODEL_NOT_FOUND', `Model "${m[1]}" has no ready version.`, 1);
  return { name: m[1]!, version: Math.max(...ready) };
}

/** "f1" | "f0.5" | "f2" | "fbeta=3" | "precision>=0.9" | "recall>=0.8" → the API's objective fields. */
export function parseObjective(s: string): Record<string, unknown> {
  const v = s.trim().toLowerCase();
  if (['f1', 'f0.5', 'f2'].includes(v)) return { objective: v };
  const fb = /^f(?:beta)?[=:]?(\d+(?:\.\d+)?)$/.exec(v);
  if (fb) return { objective: 'fbeta', beta: Number(fb[1]) };
  const target = /^(precision|recall)\s*(?:>=|=|:)\s*(\d*\.?\d+)$/.exec(v);
  if (target) return { objective: { [target[1]!]: Number(target[2]) } };
  throw new CliError('VALIDATION_FAILED', `Unknown objective "${s}".`, 1, [{ field: '--objective', problem: `"${s}" is not an objective`, fix: 'Use f1, f0.5, f2, fbeta=BETA, precision>=0.9 or recall>=0.8.' }]);
}

const plotFormat = (file: string, allowed: string[]): string => {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase() ?? '';
  if (!allowed.includes(ext)) throw new CliError('VALIDATION_FAILED', `--plot ${file}: use a file ending in ${allowed.map((a) => `.${a}`).join(', ')}.`, 1);
  return ext;
};

async function download(t: Transport, path: string, file: string): Promise<void> {
  const res = await t.request('GET', path);
  if (res.status !== 200) expectOk(res);
  writeFileSync(file, res.body);
}

/** A dataset reference: an existing file is imported first; anything else names an imported dataset. */
async function datasetRef(t: Transport, arg: string, quiet: boolean): Promise<{ dataset: string; datasetVersion?: number }> {
  if (existsSync(arg)) {
    const imported = await importDataset(t, arg, {}, quiet);
    return { dataset: imported.dataset.id, datasetVersion: imported.version.version };
  }
  return { dataset: arg };
}

const numList = (s: string, what: string): number[] => {
  const xs = s.split(',').map((x) => Number(x.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) throw new CliError('VALIDATION_FAILED', `${what}: expected comma-separated numbers, got "${s}".`, 1);
  return xs;
};

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '' : x.toFixed(3));

interface TuneJobResult {
  model: ModelVersionRef;
  objective: string;
  folds: number;
  thresholds: Record<string, number> | null;
  /** multi-label: how the thresholds were chosen from the out-of-fold scores. */
  thresholdRule?: string;
  abstainBelow: number | null;
  tuneSeconds: number;
  before: TextMetrics;
  after: TextMetrics;
  labelC?: Record<string, number>;
  labelClassWeight?: Record<string, string>;
  refittedFrom?: { id: string; version: number };
  stack?: { bases: string[]; combinerC: number };
}

function experimentOptions(cmd: Command): Command {
  return withSplitOptions(withFormatOptions(cmd), { fraction: 'fraction held out as the fixed test split', seed: 'seed of the split and the resampling' });
}

export function registerTextQualityCommands(text: Command): void {
  text
    .command('tune <model>')
    .description('Tune MODEL[:VERSION]\'s decision rule on out-of-fold scores of its training part; prints before/after on its test split')
    .option('--objective <o>', 'f1 | f0.5 | f2 | fbeta=B | precision>=P | recall>=R', 'f1')
    .option('--folds <k>', 'cross-validation folds', '5')
    .option('--plot <file>', 'write the PR curves with the chosen points (.svg or .png) or the whole report (.html)')
    .option('--c-grid <list>', 'comma-separated C values: choose C per label out of fold and refit as a new version (multi-label, plain model), e.g. 0.5,1,2,4')
    .option('--balanced-grid', 'with --c-grid: also try balanced class weights per label')
    .option('--stack', 'fit a per-label combiner over all labels\' out-of-fold logits and refit it, folded in, as a new version (multi-label, plain model)')
    .option('--stack-nb-words', 'with --stack: an NB-weighted word model fitted in the same folds as a second base')
    .option('--stack-nb-chars', 'with --stack: an NB-weighted char model fitted in the same folds as one more base')
    .option('--stack-case-chars', 'with --stack: a case-sensitive char model (lowercase off) fitted in the same folds as one more base')
    .option('--stack-shape', 'with --stack: per-document shape features (capitals, !/?, length, stretched letters, punctuation) as more inputs of the combiner, kept as a model block')
    .option('--stack-encoder', 'with --stack: a logistic regression on a pretrained sentence encoder\'s embeddings (shipped with the install) as one more base, kept as a model block (scoring embeds every text: ~50–60 ms of CPU each)')
    .option('--stack-all-c', 'with --stack and --c-grid: the combiner sees the out-of-fold logits at every grid setting, not only each label\'s chosen C')
    .option('--smoothing <w>', 'choose thresholds on F averaged over ±w × positives (0 = off)', '0')
    .option('--threshold-bags <n>', "objective f1: each threshold the mean logit of the best thresholds of n bootstrap resamples (0 = off)", '0')
    .action(async (ref: string, o: { objective: string; folds: string; plot?: string; cGrid?: string; balancedGrid?: boolean; stack?: boolean; stackNbWords?: boolean; stackNbChars?: boolean; stackCaseChars?: boolean; stackShape?: boolean; stackEncoder?: boolean; stackAllC?: boolean; smoothing: string; thresholdBags: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        if (o.plot) plotFormat(o.plot, ['svg', 'png', 'html']);
        const m = await resolveModel(t, ref);
        // every flag given is sent: the API refuses one that needs another (e.g. --stack-nb-words without --stack) with a 400 naming it
        const flags = { balancedGrid: o.balancedGrid, stack: o.stack, stackNbWords: o.stackNbWords, stackNbChars: o.stackNbChars, stackCaseChars: o.stackCaseChars, stackShape: o.stackShape, stackEncoder: o.stackEncoder, stackAllC: o.stackAllC };
        const grid = { ...(o.cGrid ? { cGrid: o.cGrid.split(',').map(Number) } : {}), ...Object.fromEntries(Object.entries(flags).filter(([, on]) => on === true)) };
        const job = await runJob(t, `/api/v1/text/models/${enc(m.name)}/versions/${m.version}/tune`, { ...parseObjective(o.objective), folds: Number(o.folds), smoothing: Number(o.smoothing), thresholdBags: Number(o.thresholdBags), ...grid }, quiet, 'tune');
        const r = job.result as TuneJobResult;
        // with --c-grid / --stack the report belongs to the refitted new version
        if (o.plot) await download(t, `/api/v1/text/models/${enc(m.name)}/versions/${r.model.version}/tuning-report?format=${plotFormat(o.plot, ['svg', 'png', 'html'])}`, o.plot);
        if (g.json) return printJson({ model: r.model, objective: r.objective, folds: r.folds, thresholds: r.thresholds, ...(r.thresholdRule ? { thresholdRule: r.thresholdRule } : {}), abstainBelow: r.abstainBelow, tune_seconds: r.tuneSeconds, before: r.before, after: r.after, ...(r.labelC ? { labelC: r.labelC, labelClassWeight: r.labelClassWeight, refittedFrom: r.refittedFrom } : {}), ...(r.stack ? { stack: r.stack } : {}), ...(o.plot ? { plot: o.plot } : {}) });
        process.stdout.write(`tuned ${r.model.name}:${r.model.version} (${r.objective}, ${r.folds}-fold out-of-fold scores) in ${r.tuneSeconds.toFixed(1)} s\n`);
        process.stdout.write(`macro F1 ${r.before.macro_f1.toFixed(4)} → ${r.after.macro_f1.toFixed(4)} · micro F1 ${r.before.micro_f1.toFixed(4)} → ${r.after.micro_f1.toFixed(4)} (test split)\n`);
        if (r.thresholdRule) process.stdout.write(`thresholds: ${r.thresholdRule}\n`);
        if (r.abstainBelow !== null || !r.thresholds) process.stdout.write(`abstain below ${r.abstainBelow === null ? '— (always answer)' : r.abstainBelow.toFixed(4)}\n`);
        printTable(['label', 'threshold', 'precision', 'recall', 'F1 @0.5', 'F1 tuned', 'support'], r.before.labels.map((l) => {
          const b = r.before.per_label[l]!, a = r.after.per_label[l]!;
          return [l, r.thresholds ? f3(r.thresholds[l]) : '', f3(a.precision), f3(a.recall), f3(b.f1), f3(a.f1), b.support];
        }));
        if (o.plot) process.stdout.write(`wrote ${o.plot}\n`);
      }),
    );

  text
    .command('decision <model>')
    .description('Show MODEL[:VERSION]\'s decision rule; --set / --abstain-below edit it, --reset restores the defaults')
    .option('--set <label=t,...>', 'multi-label thresholds, e.g. threat=0.2,toxic=0.45')
    .option('--abstain-below <p>', 'multi-class: answer nothing below this top score ("none" removes it)')
    .option('--reset', 'back to 0.5 per label / always answer')
    .action(async (ref: string, o: { set?: string; abstainBelow?: string; reset?: boolean }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const m = await resolveModel(t, ref);
        const path = `/api/v1/text/models/${enc(m.name)}/versions/${m.version}/decision`;
        let body: unknown;
        if (o.reset) body = expectOk(await t.request('DELETE', path));
        else if (o.set !== undefined || o.abstainBelow !== undefined) {
          const thresholds = o.set === undefined ? undefined : Object.fromEntries(o.set.split(',').map((kv) => {
            const i = kv.lastIndexOf('=');
            if (i <= 0) throw new CliError('VALIDATION_FAILED', `--set: expected label=threshold, got "${kv}".`, 1);
            return [kv.slice(0, i).trim(), Number(kv.slice(i + 1))];
          }));
          const abstainBelow = o.abstainBelow === undefined ? undefined : o.abstainBelow === 'none' ? null : Number(o.abstainBelow);
          body = expectOk(await t.request('PUT', path, { ...(thresholds ? { thresholds } : {}), ...(abstainBelow !== undefined ? { abstainBelow } : {}) }));
        } else body = expectOk(await t.request('GET', path));
        if (g.json) return printJson(body);
        const d = body as { mode: string; labels: string[]; thresholds: Record<string, number> | null; abstainBelow: number | null; objective: string | null; source: string | null; tunedAt: string | null };
        process.stdout.write(`${m.name}:${m.version} (${d.mode}) decision rule: ${d.source ?? 'defaults'}${d.objective ? `, objective ${d.objective}` : ''}${d.tunedAt ? `, tuned ${d.tunedAt}` : ''}\n`);
        if (d.mode === 'multi-label') printTable(['label', 'threshold'], d.labels.map((l) => [l, f3(d.thresholds?.[l] ?? 0.5)]));
        else process.stdout.write(`abstain below: ${d.abstainBelow === null ? '— (always answer)' : d.abstainBelow}\n`);
      }),
    );

  experimentOptions(text.command('sweep <dataset>'))
    .description("Oversampling sweep: train with LABEL's positives limited or augmented to each N; that label's P/R/F1 vs N on a fixed test split")
    .requiredOption('--label <label>', 'the label whose positives vary')
    .option('--positives <n,...>', 'the N values', '10,25,50,100,200,500')
    .option('--method <m>', 'oversample (subsample / duplicate) | class-weight (balanced weights)', 'oversample')
    .option('--keep-models', 'register each trained model as a version (default: discard)')
    .option('--name <name>', 'model name for --keep-models')
    .option('--plot <file>', 'write the chart (.svg or .png)')
    .action(async (arg: string, o: FormatOptions & { label: string; positives: string; method: string; keepModels?: boolean; name?: string; plot?: string } & SplitOptions, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        if (o.plot) plotFormat(o.plot, ['svg', 'png']);
        const ds = await datasetRef(t, arg, quiet);
        const job = await runJob(t, '/api/v1/text/experiments/sweep', {
          ...ds, ...formatBody(o), label: o.label, positives: numList(o.positives, '--positives'), method: o.method, keepModels: o.keepModels === true,
          ...(o.name ? { name: o.name } : {}), ...splitBody(o),
        }, quiet, 'sweep');
        const r = job.result as { label: string; method: string; available_positives: number; test_positives: number; points: Array<Record<string, number | null>> };
        if (o.plot) await download(t, `/api/v1/text/experiments/${job.id}/chart?format=${plotFormat(o.plot, ['svg', 'png'])}`, o.plot);
        const { chartSvg: _svg, ...rest } = job.result as Record<string, unknown>;
        if (g.json) return printJson({ job: job.id, ...rest, ...(o.plot ? { plot: o.plot } : {}) });
        process.stdout.write(`${r.label}: ${r.available_positives} positives available in training, ${r.test_positives} in test (method ${r.method})\n`);
        printTable(['N', 'unique', 'precision', 'recall', 'F1', 'AUC', 'macro F1'], r.points.map((p) => [p.n, p.positives_unique, f3(p.precision), f3(p.recall), f3(p.f1), f3(p.auc), f3(p.macro_f1)]));
        if (o.plot) process.stdout.write(`wrote ${o.plot}\n`);
      }),
    );

  experimentOptions(text.command('learning-curve <dataset>'))
    .description('Learning curve: macro/micro F1 and mean AUC vs the fraction of the training part, on a fixed test split')
    .option('--fractions <f,...>', 'training fractions', '0.1,0.2,0.4,0.6,0.8,1')
    .option('--plot <file>', 'write the chart (.svg or .png)')
    .action(async (arg: string, o: FormatOptions & { fractions: string; plot?: string } & SplitOptions, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        if (o.plot) plotFormat(o.plot, ['svg', 'png']);
        const ds = await datasetRef(t, arg, quiet);
        const job = await runJob(t, '/api/v1/text/experiments/learning-curve', { ...ds, ...formatBody(o), fractions: numList(o.fractions, '--fractions'), ...splitBody(o) }, quiet, 'learning curve');
        if (o.plot) await download(t, `/api/v1/text/experiments/${job.id}/chart?format=${plotFormat(o.plot, ['svg', 'png'])}`, o.plot);
        const { chartSvg: _svg, ...rest } = job.result as Record<string, unknown>;
        if (g.json) return printJson({ job: job.id, ...rest, ...(o.plot ? { plot: o.plot } : {}) });
        const points = (rest as { points: Array<Record<string, number | null>> }).points;
        printTable(['fraction', 'documents', 'macro F1', 'micro F1', 'mean AUC', 'train s'], points.map((p) => [p.fraction, p.n_train, f3(p.macro_f1), f3(p.micro_f1), f3(p.mean_auc), f3(p.train_seconds)]));
        if (o.plot) process.stdout.write(`wrote ${o.plot}\n`);
      }),
    );

  withFormatOptions(text.command('noisy-labels <dataset>'))
    .description('Rank rows by how strongly out-of-fold predictions disagree with their labels (likely label errors)')
    .option('--top <n>', 'rows to list', '50')
    .option('--folds <k>', 'cross-validation folds', '5')
    .action(async (arg: string, o: FormatOptions & { top: string; folds: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        const ds = await datasetRef(t, arg, quiet);
        const job = await runJob(t, '/api/v1/text/experiments/noisy-labels', { ...ds, ...formatBody(o), top: Number(o.top), folds: Number(o.folds) }, quiet, 'noisy labels');
        const r = job.result as { dataset: { version: number }; n_rows: number; rows: Array<{ row: number; text: string; labels: string[]; suggested: string[]; score: number }> };
        if (g.json) return printJson({ job: job.id, ...r });
        process.stdout.write(`${r.rows.length} most suspicious of ${r.n_rows} rows (dataset version ${r.dataset.version}); fix them with \`sagebrush text edit-dataset\`\n`);
        printTable(['row', 'score', 'labels', 'suggested', 'text'], r.rows.map((x) => [x.row, x.score.toFixed(3), x.labels.join('|'), x.suggested.join('|'), x.text.replace(/\s+/g, ' ').slice(0, 60)]));
      }),
    );

  text
    .command('edit-dataset <dataset>')
    .description('Drop or relabel rows of a labeled text dataset version; uploads the result as the next version (the old one stays)')
    .option('--version <n>', 'the version to edit', 'latest')
    .option('--drop <rows>', 'comma-separated 1-based rows to remove')
    .option('--relabel <row=l1|l2,...>', 'new labels per row, e.g. 12=toxic|insult,40=clean')
    .option('--format <format>', 'auto | comprehend-csv | wide-csv | jsonl', 'auto')
    .option('--delimiter <char>', 'Comprehend CSV multi-label delimiter', '|')
    .action(async (arg: string, o: { version: string; drop?: string; relabel?: string; format: string; delimiter: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const drop = o.drop ? numList(o.drop, '--drop') : [];
        const relabel = o.relabel ? o.relabel.split(',').map((kv) => {
          const i = kv.indexOf('=');
          if (i <= 0) throw new CliError('VALIDATION_FAILED', `--relabel: expected row=labels, got "${kv}".`, 1);
          return { row: Number(kv.slice(0, i)), labels: kv.slice(i + 1).split(o.delimiter).map((s) => s.trim()).filter(Boolean) };
        }) : [];
        const res = expectOk<{ dataset: { name: string }; version: { version: number }; job: { id: string }; edits: Record<string, unknown> }>(
          await t.request('POST', `/api/v1/datasets/${enc(arg)}/versions/${o.version}/edits`, { drop, relabel, format: o.format, delimiter: o.delimiter }),
        );
        const job = await followJobOrThrow(t, res.job.id, g.json === true, 'import');
        if (g.json) return printJson({ dataset: res.dataset, version: res.version, edits: res.edits, import: { job: job.id, status: job.status } });
        process.stdout.write(`${res.dataset.name} v${res.version.version}: ${String(res.edits.dropped)} rows dropped, ${String(res.edits.relabeled)} relabeled (from v${String(res.edits.fromVersion)}, which stays)\n`);
      }),
    );
}
