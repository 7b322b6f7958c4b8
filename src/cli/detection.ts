/**
 * `sagebrush detection …` — object detection (issue 15). `train FOLDER` imports the folder (laid out like
 * the metal-tags sample: images/ + labels.csv or YOLO labels) as a detection dataset through the same upload
 * path as `detection import` (so embedded and --url runs validate alike), trains a detector on its latest approved
 * labels with a seeded 20 % held out, and prints `{model, train_seconds, map50, map50_95, n_train, n_test}` with
 * --json. `predict MODEL IMAGE…` prints boxes (and with --draw, writes the images with boxes drawn). D1's dataset
 * commands (import, export, datasets) are added by addDetectionDataCommands.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import type { DetectionTrainResult } from '../domains/detection/index.ts';
import { addDetectionDataCommands } from './detectionData.ts';
import { CliError, expectOk, fromResponse, printJson, printTable } from './output.ts';
import { runJob } from './requests.ts';
import { withTransport } from './session.ts';
import type { Transport } from './transport.ts';

const enc = encodeURIComponent;

interface Prediction { width: number; height: number; detections: Array<{ class: string; score: number; x1: number; y1: number; x2: number; y2: number }> }

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 50) || 'detector';
}

/** Uploads the folder as a new detection dataset; a taken name gets -2, -3… (each training keeps its own data). */
async function importFolder(t: Transport, folder: string, base: string): Promise<string> {
  const { packDetectionFolder } = await import('../domains/detection/formats/pack.ts');
  const packed = await packDetectionFolder(folder);
  try {
    for (let i = 1; i <= 50; i++) {
      const name = i === 1 ? base : `${base}-${i}`;
      const res = await t.upload('/api/v1/detection/datasets', packed.zipPath, [{ name: 'name', value: name }]);
      if (res.status === 409) continue;
      expectOk(res);
      return name;
    }
    throw new CliError('ALREADY_EXISTS', `Detection datasets ${base} … ${base}-50 all exist.`, 1, [{ field: '--name', problem: 'taken', fix: 'Pass another --name.' }]);
  } finally {
    await packed.cleanup();
  }
}

export function registerDetectionCommands(program: Command): void {
  const detection = program.command('detection').description('Object detection: datasets (import, export), training and prediction');

  detection
    .command('train <folder>')
    .description('Import FOLDER (images/ + labels.csv, a Ground Truth manifest, YOLO labels or COCO JSON) and train a detector; held-out (seeded 20 %) mAP50-95 and mAP50')
    .option('--name <name>', 'model (and dataset) name (default: the folder name)')
    .option('--epochs <n>', 'training epochs of the detection head (default 30)')
    .option('--seed <n>', 'seed of the 80/20 split and of training', '42')
    .action(async (folder: string, o: { name?: string; epochs?: string; seed: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new CliError('FILE_NOT_FOUND', `${folder} is not a folder.`, 1, [{ field: 'FOLDER', problem: 'not a folder', fix: 'Pass a folder with images/ plus labels.csv (or YOLO labels + dataset.yaml, or a COCO JSON).' }]);
        const name = safeName(o.name ?? basename(folder.replace(/[\\/]+$/, '')));
        const quiet = g.json === true;
        const dataset = await importFolder(t, folder, name);
        const body = { dataset, name, seed: Number(o.seed), ...(o.epochs ? { epochs: Number(o.epochs) } : {}) };
        const job = await runJob(t, '/api/v1/detection/models', body, quiet, 'train');
        const r = job.result as DetectionTrainResult;
        const out = { model: `${r.model.name}:${r.model.version}`, train_seconds: r.train_seconds, map50: r.map50, map50_95: r.map50_95, n_train: r.n_train, n_test: r.n_test };
        if (g.json) return printJson(out);
        process.stdout.write(`trained ${out.model} in ${r.train_seconds.toFixed(1)} s on ${r.n_train} images; held-out ${r.n_test}: mAP50-95 ${r.map50_95.toFixed(4)} · mAP50 ${r.map50.toFixed(4)} · mAP75 ${r.metrics.map75.toFixed(4)}\n`);
        printTable(['class', 'boxes', 'AP50', 'AP50-95'], r.metrics.perClass.map((c) => [String(c.classId), c.nTruth, c.ap50?.toFixed(3) ?? '', c.ap50_95?.toFixed(3) ?? '']));
        return undefined;
      }),
    );

  detection
    .command('predict <model> <images...>')
    .description('Detect objects in IMAGE… with MODEL (id, NAME or NAME:VERSION): boxes, scores and classes')
    .option('--min-score <p>', 'lowest score reported (default 0.25)')
    .option('--draw <out>', 'write the image with boxes drawn to OUT (a folder when several images are given; .jpg → JPEG)')
    .action(async (ref: string, files: string[], o: { minScore?: string; draw?: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const q = o.minScore ? `?minScore=${enc(o.minScore)}` : '';
        const base = `/api/v1/detection/models/${enc(ref)}`;
        if (o.draw && files.length > 1) mkdirSync(o.draw, { recursive: true });
        const results = [];
        for (const file of files) {
          const pred = expectOk<Prediction & { model: { name: string; version: number } }>(await t.upload(`${base}/predict${q}`, file, []));
          let drawn: string | undefined;
          if (o.draw) {
            drawn = files.length > 1 ? join(o.draw, `${basename(file).replace(/\.[^.]+$/, '')}.png`) : o.draw;
            const fmt = /\.jpe?g$/i.test(drawn) ? 'jpeg' : 'png';
            const res = await t.upload(`${base}/draw?format=${fmt}${o.minScore ? `&minScore=${enc(o.minScore)}` : ''}`, file, []);
            if (res.status !== 200) throw fromResponse(res);
            writeFileSync(drawn, res.body);
          }
          results.push({ image: file, model: `${pred.model.name}:${pred.model.version}`, width: pred.width, height: pred.height, detections: pred.detections, ...(drawn ? { drawn } : {}) });
        }
        if (g.json) return printJson(results.length === 1 ? results[0] : { images: results });
        for (const r of results) {
          process.stdout.write(`${r.image} (${r.width}×${r.height}): ${r.detections.length} detection(s)${r.drawn ? ` → ${r.drawn}` : ''}\n`);
          if (r.detections.length) printTable(['class', 'score', 'x1', 'y1', 'x2', 'y2'], r.detections.map((d) => [d.class, d.score.toFixed(3), d.x1, d.y1, d.x2, d.y2]));
        }
        return undefined;
      }),
    );

  detection
    .command('export-onnx <model>')
    .description('Write MODEL\'s single-file ONNX detector (uint8 image [H,W,3] → boxes, scores, class_ids after NMS) to --out')
    .requiredOption('--out <file>', 'where to write the .onnx file')
    .action(async (ref: string, o: { out: string }, cmd: Command) =>
      withTransport(cmd, async (t, g) => {
        const res = await t.request('GET', `/api/v1/detection/models/${enc(ref)}/onnx`);
        if (res.status !== 200) throw fromResponse(res);
        writeFileSync(o.out, res.body);
        const sha256 = String(res.headers['x-sha256'] ?? '');
        if (g.json) return printJson({ out: o.out, bytes: res.body.length, sha256 });
        process.stdout.write(`wrote ${o.out} (${res.body.length} bytes, sha256 ${sha256})\n`);
        return undefined;
      }),
    );

  addDetectionDataCommands(detection);
}
