import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Job } from '../jobs/types.ts';
import { importDataset } from './datasets.ts';
import { expectOk, printJson, printTable } from './output.ts';
import { registerTextQualityCommands } from './quality.ts';
import { followJobOrThrow, runJob } from './requests.ts';
import { withTransport } from './session.ts';
import { formatBody, splitBody, withFormatOptions, withSplitOptions, type FormatOptions, type SplitOptions, type TextMetrics } from './textOptions.ts';

function printMetrics(m: TextMetrics): void {
  const summary = [
    m.accuracy !== undefined ? `accuracy ${m.accuracy.toFixed(4)}` : '',
    `macro F1 ${m.macro_f1.toFixed(4)}`,
    `micro F1 ${m.micro_f1.toFixed(4)}`,
    m.hamming_loss !== undefined ? `hamming loss ${m.hamming_loss.toFixed(4)}` : '',
    m.mean_auc !== null ? `mean AUC ${m.mean_auc.toFixed(4)}` : '',
  ].filter(Boolean);
  process.stdout.write(`${summary.join(' · ')}\n`);
  printTable(
    ['label', 'precision', 'recall', 'f1', 'support', 'auc'],
    Object.entries(m.per_label).map(([l, p]) => [l, p.precision.toFixed(3), p.recall.toFixed(3), p.f1.toFixed(3), p.support, p.auc === null ? '' : p.auc.toFixed(3)]),
  );
}

export function registerTextCommands(program: Command): void {
  const text = program.command('text').description('Custom text classification (Comprehend-compatible)');

  withSplitOptions(withFormatOptions(text.command('train <train>')), { fraction: 'automatic split: fraction held out for testing', seed: 'seed of the automatic split' })
    .description('Import TRAIN (and --test) as datasets and train a classifier; prints metrics')
    .option('--test <file>', 'labeled test file (must contain every training label); default: a stratified split')
    .option('--name <name>', 'model name (default: the training file name)')
    .option('--c <C>', 'inverse L2 regularisation strength')
    .option('--class-weight <w>', 'none | balanced')
    .option('--nb-words', 'add an NB-weighted word model (slower to train; see the text README)')
    .option('--stack-folds <k>', 'per-label combiner over both models, trained on k inner folds (0 = off; slower to train)')
    .option('--blend-word-char', 'word-only and char-only models as bases, blended per label (with --stack-folds; slower to train)')
    .action(async (file: string, o: FormatOptions & SplitOptions & { test?: string; name?: string; c?: string; classWeight?: string; nbWords?: boolean; stackFolds?: string; blendWordChar?: boolean }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        const train = await importDataset(t, file, {}, quiet);
        const test = o.test ? await importDataset(t, o.test, {}, quiet) : undefined;
        const name = o.name ?? train.dataset.name.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') ?? 'classifier';
        const job = await runJob(t, '/api/v1/text/classifiers', {
          name,
          dataset: train.dataset.id,
          datasetVersion: train.version.version,
          ...formatBody(o),
          ...(test ? { testDataset: test.dataset.id, testDatasetVersion: test.version.version } : splitBody(o)),
          options: {
            ...(o.c ? { C: Number(o.c) } : {}),
            ...(o.classWeight ? { classWeight: o.classWeight } : {}),
            ...(o.nbWords ? { nbWords: true } : {}),
            ...(o.stackFolds !== undefined ? { stackFolds: Number(o.stackFolds) } : {}),
            ...(o.blendWordChar ? { blendWordChar: true } : {}),
          },
        }, quiet, 'train');
        const result = job.result as { model: { name: string; version: number }; metrics: TextMetrics; train_seconds: number };
        if (g.json) return printJson({ model: result.model, train_seconds: result.train_seconds, ...result.metrics });
        process.stdout.write(`trained ${result.model.name}:${result.model.version} in ${result.train_seconds.toFixed(2)} s\n`);
        printMetrics(result.metrics);
      }, 'text'),
    );

  withFormatOptions(text.command('evaluate <model> <labeled>'))
    .description('Evaluate MODEL[:VERSION] on another labeled file')
    .action(async (model: string, file: string, o: FormatOptions, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        const data = await importDataset(t, file, {}, quiet);
        const job = await runJob(t, '/api/v1/text/evaluations', { model, dataset: data.dataset.id, datasetVersion: data.version.version, ...formatBody(o) }, quiet, 'evaluate');
        const result = job.result as { model: { name: string; version: number }; metrics: TextMetrics };
        if (g.json) return printJson({ model: result.model, ...result.metrics });
        printMetrics(result.metrics);
      }, 'text'),
    );

  text
    .command('predict <model> <input>')
    .description('Batch analysis: classify INPUT (one document per line, a zip of one document per file, or a CSV column) into Comprehend JSON Lines')
    .requiredOption('--out <file>', 'where to write the JSON Lines results')
    .option('--input-format <f>', 'one-doc-per-line | one-doc-per-file | csv', 'one-doc-per-line')
    .option('--column <name>', 'csv input: the text column (default: text or the last column)')
    .action(async (model: string, input: string, o: { out: string; inputFormat: string; column?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        const fields = [{ name: 'model', value: model }, { name: 'inputFormat', value: o.inputFormat }, ...(o.column ? [{ name: 'column', value: o.column }] : [])];
        const accepted = expectOk<{ job: Job }>(await t.upload('/api/v1/text/batch-jobs', input, fields));
        const job = await followJobOrThrow(t, accepted.job.id, quiet, 'predict');
        const res = await t.request('GET', `/api/v1/text/batch-jobs/${job.id}/output?format=jsonl`);
        if (res.status !== 200) expectOk(res);
        writeFileSync(o.out, res.body);
        const summary = job.result as { documents: number; errors: number };
        if (g.json) return printJson({ job: job.id, out: o.out, ...summary });
        process.stdout.write(`wrote ${summary.documents} results (${summary.errors} errors) to ${o.out}\n`);
      }, 'text'),
    );

  registerTextQualityCommands(text);
}
