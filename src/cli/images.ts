/**
 * `sagebrush images …`: image classification from the command line (Canvas's no-code flow as commands).
 * `train` packs a folder (label sub-folders + an optional CSV manifest with a `path` column) or a manifest and
 * its files into a zip, imports it as a dataset and builds a model; `predict` classifies one image, a folder or a
 * zip into a CSV; `export` writes the one-file ONNX model.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { importDataset } from './datasets.ts';
import { CliError, expectOk, printJson, printTable } from './output.ts';
import { runJob } from './requests.ts';
import { withTransport } from './session.ts';
import type { PerLabel } from './textOptions.ts';
import type { Transport } from './transport.ts';

const enc = encodeURIComponent;

interface TrainResult {
  model: { id: string; name: string; version: number };
  metrics: { accuracy: number; balanced_accuracy: number; macro_f1: number; mean_auc: number | null; per_label: Record<string, PerLabel>; cv: { folds: number; repeats?: number; balanced_accuracy_mean: number; balanced_accuracy_std: number; macro_f1_mean: number }; calibration: unknown; confusion_matrix: unknown };
  report: { build: string; chosen: string; split: unknown; embed_images_per_second: number; warnings: unknown[] };
  train_seconds: number;
}

function safeName(s: string): string {
  return s.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63) || 'images';
}

/** Uploads INPUT (a .zip as is, else a packed folder/manifest) as a dataset; returns "id:version". */
async function importImages(t: Transport, input: string, name: string, quiet: boolean, unlabeled: boolean): Promise<string> {
  let file = input;
  let tmp: string | undefined;
  if (!(statSync(input).isFile() && /\.zip$/i.test(input))) {
    const { packImages } = await import('../domains/images/folder.ts'); // loaded only when a folder is packed
    const packed = packImages(input, { unlabeled });
    tmp = mkdtempSync(join(tmpdir(), 'sagebrush-images-'));
    file = join(tmp, `${name}.zip`);
    writeFileSync(file, packed.zip);
  }
  try {
    const ds = await importDataset(t, file, { name, format: 'zip' }, quiet);
    return `${ds.dataset.id}:${ds.version.version}`;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** MODEL or MODEL:VERSION → name and a version number (latest ready image classifier when absent). */
async function resolveModel(t: Transport, ref: string): Promise<{ name: string; version: number }> {
  const m = /^(.+?)(?::(\d+))?$/.exec(ref.trim())!;
  if (m[2]) return { name: m[1]!, version: Number(m[2]) };
  const page = expectOk<{ items: Array<{ name: string; version: number; status: string }> }>(await t.request('GET', `/api/v1/images/models?name=${enc(m[1]!)}&limit=200`));
  const ready = page.items.find((i) => i.status === 'ready');
  if (!ready) throw new CliError('MODEL_NOT_FOUND', `No ready image classifier named "${m[1]}". Train one with \`sagebrush images train\`.`, 1);
  return { name: ready.name, version: ready.version };
}

const IMAGE_FILE = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i;

function csvField(v: string | number | boolean | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function registerImageCommands(program: Command): void {
  const images = program.command('images').description('Image classification without code (SageMaker Canvas-style)');

  images
    .command('train <input>')
    .description('Import FOLDER (one sub-folder per label, optional CSV manifest with a "path" column) or MANIFEST.csv (+ the files it lists) or a .zip, and build a classifier; prints metrics')
    .option('--name <name>', 'model (and dataset) name (default: the folder name)')
    .option('--group-column <col>', 'manifest column whose images stay on one side of every split (e.g. lesion_id)')
    .option('--label-column <col>', 'manifest column with the label (default: the label folder)')
    .option('--build <kind>', 'quick | standard', 'quick')
    .option('--seed <n>', 'seed of the split and CV folds', '0')
    .option('--features <layer>', 'pooled (the 1,280-d penultimate layer, default) | multilayer (that + 3 earlier blocks, 1,856-d) | logits (the 1,000 ImageNet logits)')
    .option('--min-images-per-label <n>', 'warn below this many images per label (Canvas: 25)', '25')
    .action(async (input: string, o: { name?: string; groupColumn?: string; labelColumn?: string; build: string; seed: string; features?: string; minImagesPerLabel: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        const name = safeName(o.name ?? basename(input.replace(/[\\/]+$/, '')));
        const dataset = await importImages(t, input, name, quiet, false);
        const job = await runJob(t, '/api/v1/images/models', {
          name,
          dataset,
          build: o.build,
          seed: Number(o.seed),
          minImagesPerLabel: Number(o.minImagesPerLabel),
          ...(o.groupColumn ? { groupColumn: o.groupColumn } : {}),
          ...(o.labelColumn ? { labelColumn: o.labelColumn } : {}),
          ...(o.features ? { features: o.features } : {}),
        }, quiet, 'train');
        const r = job.result as TrainResult;
        if (g.json) return printJson({ model: { name: r.model.name, version: r.model.version }, train_seconds: r.train_seconds, build: r.report.build, chosen: r.report.chosen, split: r.report.split, ...r.metrics, warnings: r.report.warnings });
        const m = r.metrics;
        process.stdout.write(`trained ${r.model.name}:${r.model.version} (${r.report.build} build, ${r.report.chosen}) in ${r.train_seconds.toFixed(1)} s\n`);
        process.stdout.write(`test split: accuracy ${m.accuracy.toFixed(4)} · balanced accuracy ${m.balanced_accuracy.toFixed(4)} · macro F1 ${m.macro_f1.toFixed(4)}${m.mean_auc !== null ? ` · mean AUC ${m.mean_auc.toFixed(4)}` : ''}\n`);
        process.stdout.write(`grouped ${m.cv.folds}-fold CV × ${m.cv.repeats ?? 1} fold seeds: balanced accuracy ${m.cv.balanced_accuracy_mean.toFixed(4)} ± ${m.cv.balanced_accuracy_std.toFixed(4)} · macro F1 ${m.cv.macro_f1_mean.toFixed(4)}\n`);
        printTable(['label', 'precision', 'recall', 'f1', 'support', 'auc'], Object.entries(m.per_label).map(([l, p]) => [l, p.precision.toFixed(3), p.recall.toFixed(3), p.f1.toFixed(3), p.support, p.auc === null ? '' : p.auc.toFixed(3)]));
        for (const w of r.report.warnings as Array<{ field?: string; problem: string; fix: string }>) process.stderr.write(`warning: ${w.field ? `${w.field}: ` : ''}${w.problem} → ${w.fix}\n`);
      }),
    );

  images
    .command('predict <model> <input>')
    .description('Classify INPUT (an image file, a folder of images or a zip) with MODEL[:VERSION]; writes a CSV')
    .requiredOption('--out <file>', 'where to write the CSV (path,predicted,p_<label>…,ood,error)')
    .action(async (ref: string, input: string, o: { out: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const quiet = g.json === true;
        const model = await resolveModel(t, ref);
        const base = `/api/v1/images/models/${enc(model.name)}/versions/${model.version}`;
        if (statSync(input).isFile() && IMAGE_FILE.test(input)) {
          const res = await t.upload(`${base}/predict`, input, []);
          const pred = expectOk<{ predicted: string | null; probabilities: Array<{ label: string; score: number }>; outOfDistribution: { flag: boolean } }>(res);
          const labels = pred.probabilities.map((p) => p.label).sort();
          const score = new Map(pred.probabilities.map((p) => [p.label, p.score]));
          writeFileSync(o.out, `${['path', 'predicted', ...labels.map((l) => `p_${l}`), 'ood', 'error'].map(csvField).join(',')}\n${[basename(input), pred.predicted ?? '', ...labels.map((l) => score.get(l)), pred.outOfDistribution.flag, ''].map(csvField).join(',')}\n`);
          if (g.json) return printJson({ out: o.out, images: 1, errors: 0, ...pred });
          process.stdout.write(`${basename(input)}: ${pred.predicted ?? '(no decision)'} (${(pred.probabilities[0]?.score ?? 0).toFixed(3)}) → ${o.out}\n`);
          return;
        }
        const dataset = await importImages(t, input, safeName(`predict-${basename(input.replace(/[\\/]+$/, ''))}`), quiet, true);
        const job = await runJob(t, `${base}/batch`, { dataset }, quiet, 'predict');
        const res = await t.request('GET', `/api/v1/images/batch/${enc(job.id)}/predictions.csv`);
        if (res.status !== 200) expectOk(res);
        writeFileSync(o.out, res.body);
        const summary = job.result as { images: number; errors: number; outOfDistribution: number };
        if (g.json) return printJson({ job: job.id, out: o.out, model, ...summary });
        process.stdout.write(`wrote ${summary.images} predictions (${summary.errors} errors, ${summary.outOfDistribution} out of distribution) to ${o.out}\n`);
      }),
    );

  images
    .command('export <model>')
    .description('Write MODEL[:VERSION] as one ONNX file (uint8 RGB 224×224 in, probabilities out; labels in the metadata)')
    .requiredOption('--out <file>', 'where to write the .onnx file')
    .action(async (ref: string, o: { out: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const model = await resolveModel(t, ref);
        const res = await t.request('GET', `/api/v1/images/models/${enc(model.name)}/versions/${model.version}/export.onnx`);
        if (res.status !== 200) expectOk(res);
        writeFileSync(o.out, res.body);
        if (g.json) return printJson({ model, out: o.out, bytes: res.body.length });
        process.stdout.write(`wrote ${model.name}:${model.version} (${res.body.length} bytes) to ${o.out}\n`);
      }),
    );
}
