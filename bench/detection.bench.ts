/**
 * Object detection on the metal-tags sample (../shared/data/metal-tags: 249 images, 235 labeled, 482 scratch
 * boxes): the CLI contract run `sagebrush detection train FOLDER --json` (training time, held-out mAP50-95 / mAP50
 * on the seeded 20 % split, against the sample's gate 0.4 that YOLOv8n reaches on a GPU), then inference speed of
 * our predictor (onnxDetector.ts: the session wrapper the server and edge agents use) beside onnxruntime-node running
 * the same ONNX file directly, same thread count, same decoded images, in the same run.
 * `--smoke`: 14 images, 1 epoch (checks the path runs; the numbers mean nothing).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions, BenchResult } from './run.ts';
import { openDetector, loadOrt } from '../src/domains/detection/onnxDetector.ts';
import { decodeRgb, type RgbImage } from '../src/domains/detection/pixels.ts';
import { HAS_METAL_TAGS, HAS_TORCH, METAL_TAGS, metalTagsSubset } from '../src/domains/detection/testing.ts';

export const name = 'detection';
export const title = 'Object detection (metal tags): training time, held-out mAP50-95 / mAP50, inference images/s vs onnxruntime-node';

const BIN = join(import.meta.dirname, '../bin/sagebrush.js');
const GATE = 0.4;
const TEN_MINUTES = 600;

const TIME = '/usr/bin/time';

/** The CLI as a child process; with GNU time, the CPU seconds (user + sys) of it and its children (the trainer). */
function cli(dataDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number; cpuSeconds: number | null }> {
  const started = performance.now();
  const timeFile = join(dataDir, '..', `cpu-${Date.now()}.txt`);
  const timed = existsSync(TIME);
  const argv = [BIN, '--data-dir', dataDir, ...args];
  return new Promise((resolve, reject) => {
    const child = timed
      ? spawn(TIME, ['-f', '%U %S', '-o', timeFile, process.execPath, ...argv], { env: { ...process.env, SAGEBRUSH_LOG_LEVEL: 'silent' } })
      : spawn(process.execPath, argv, { env: { ...process.env, SAGEBRUSH_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const cpu = timed && existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : null;
      resolve({ code: code ?? -1, stdout, stderr, seconds: (performance.now() - started) / 1000, cpuSeconds: cpu && cpu.length === 2 && cpu.every(Number.isFinite) ? cpu[0]! + cpu[1]! : null });
    });
  });
}

async function json(dataDir: string, args: string[]): Promise<{ body: any; seconds: number; cpuSeconds: number | null }> {
  const r = await cli(dataDir, ['--json', ...args]);
  if (r.code !== 0) throw new Error(`sagebrush ${args.join(' ')} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return { body: JSON.parse(r.stdout), seconds: r.seconds, cpuSeconds: r.cpuSeconds };
}

/** images/s of `run` over `images`, repeated for at least `minSeconds` after one warm-up pass. */
async function rate(images: RgbImage[], run: (img: RgbImage) => Promise<unknown>, minSeconds: number): Promise<number> {
  for (const img of images.slice(0, 3)) await run(img);
  let n = 0;
  const started = performance.now();
  while ((performance.now() - started) / 1000 < minSeconds) {
    for (const img of images) await run(img);
    n += images.length;
  }
  return n / ((performance.now() - started) / 1000);
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  if (!HAS_TORCH || !HAS_METAL_TAGS) {
    const why = !HAS_TORCH ? 'no Python with torch (apt-get install python3-torch python3-torchvision)' : `metal-tags not found at ${METAL_TAGS}`;
    return { markdown: `Skipped: ${why}.`, summary: { skipped: why } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-det-'));
  try {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const folder = options.smoke ? metalTagsSubset(14) : METAL_TAGS;
    const trainArgs = ['detection', 'train', folder, '--name', 'tags', ...(options.smoke ? ['--epochs', '1'] : [])];
    const train = await json(dataDir, trainArgs);
    const onnxPath = join(dir, 'tags.onnx');
    await json(dataDir, ['detection', 'export-onnx', train.body.model, '--out', onnxPath]);

    // Inference: the same decoded images through our wrapper and through a bare onnxruntime-node session.
    const files = readdirSync(join(folder, 'images/bad')).filter((f) => f.endsWith('.jpg')).slice(0, options.smoke ? 4 : 32);
    const jpegs = files.map((f) => readFileSync(join(folder, 'images/bad', f)));
    const images = await Promise.all(jpegs.map((b, i) => decodeRgb(b, files[i])));
    const bytes = readFileSync(onnxPath);
    const seconds = options.smoke ? 1 : 10;
    const ours = await openDetector(bytes, { threads: 1 });
    const ort = await loadOrt();
    const direct = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    // Interleaved rounds so both sides see the same machine load.
    const oursRates: number[] = [];
    const directRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      oursRates.push(await rate(images, (img) => ours.detect(img, { minScore: 0.25 }), seconds / 3));
      directRates.push(await rate(images, (img) => direct.run({ image: new ort.Tensor('uint8', img.data, [img.height, img.width, 3]) }), seconds / 3));
    }
    let decoded = 0;
    const e2eStart = performance.now();
    for (const [i, b] of jpegs.entries()) {
      await ours.detect(await decodeRgb(b, files[i]), { minScore: 0.25 });
      decoded++;
    }
    const e2e = decoded / ((performance.now() - e2eStart) / 1000);
    await ours.dispose();
    await direct.release();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const oursIps = median(oursRates);
    const directIps = median(directRates);

    const t = train.body;
    const gateMet = t.map50_95 >= GATE;
    const markdown = [
      `Contract run: \`sagebrush detection train ${options.smoke ? '<14-image subset> --epochs 1' : '../shared/data/metal-tags'} --json\` →`,
      '',
      '```json',
      JSON.stringify(t),
      '```',
      '',
      '| | value | target |',
      '|---|---:|---|',
      `| training time (train_seconds: split, features, head, export) | ${t.train_seconds.toFixed(1)} s | < ${TEN_MINUTES} s on this 2-core machine: ${t.train_seconds < TEN_MINUTES ? '**MET**' : '**MISSED**'} |`,
      `| CLI wall time (import + train + held-out evaluation) | ${train.seconds.toFixed(1)} s | |`,
      `| CPU time of that run, user + sys, CLI and trainer | ${train.cpuSeconds === null ? '–' : `${train.cpuSeconds.toFixed(0)} s (${((100 * train.cpuSeconds) / train.seconds).toFixed(0)} % of one core: the rest went to other work on the machine)`} | |`,
      `| held-out mAP50-95 (COCO 101-point, ${t.n_test} images) | ${t.map50_95.toFixed(4)} | ≥ ${GATE} (the sample's gate, YOLOv8n on a GPU): ${gateMet ? '**MET**' : `**MISSED** by ${(GATE - t.map50_95).toFixed(4)}`} |`,
      `| held-out mAP50 | ${t.map50.toFixed(4)} | |`,
      `| images trained on / held out | ${t.n_train} / ${t.n_test} | seeded 20 % of the labeled images |`,
      '',
      'Why below the bar where it is: the backbone is the frozen ImageNet MobileNetV2 int8 (only the FCOS head trains, so',
      'a CPU epoch takes seconds); localisation at high IoU is what lags (mAP50 well above mAP50-95). YOLOv8n reaches',
      'the sample\'s 0.4 fine-tuning every layer with mosaic augmentation for many epochs on a GPU. On 47 held-out',
      'images one image moves mAP by about ±0.02.',
      '',
      `Inference, ${images.length} decoded 450×300 images, 1 thread, median of 3 interleaved rounds:`,
      '',
      '| predictor | images/s | vs onnxruntime-node |',
      '|---|---:|---:|',
      `| onnxruntime-node, same file, session.run directly | ${directIps.toFixed(1)} | 1.00× |`,
      `| ours (onnxDetector.detect: tensor, run, clip, sort) | ${oursIps.toFixed(1)} | ${(oursIps / directIps).toFixed(2)}× (aim ≥ 0.95×) |`,
      `| ours incl. JPEG decode (sharp) | ${e2e.toFixed(1)} | ${(e2e / directIps).toFixed(2)}× |`,
    ].join('\n');
    return { markdown, summary: { ...t, cli_seconds: train.seconds, cpu_seconds: train.cpuSeconds, ours_ips: oursIps, ort_ips: directIps, e2e_ips: e2e } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
