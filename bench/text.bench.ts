/**
 * Custom text classification with Amazon Comprehend parity: our classifier against two peers on the same split
 * files in the same run — scikit-learn (quality reference: TF-IDF word 1–2 + char_wb 2–5, one-vs-rest liblinear
 * logistic regression) and fastText (speed reference) — on jigsaw-10k and GoEmotions, multi-label; plus the CLI end
 * to end (job system overhead) and a real-time endpoint under 50 concurrent keep-alive clients.
 * Each measurement runs in its own process (peak RSS is that process's own); timings are best of N.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchOptions, BenchResult } from './run.ts';
import { prepareDatasets, type PreparedDataset } from './text.data.ts';
import { measureEndpoint, type EndpointResult, type LoadResult } from './text.endpoint.ts';
import { ensurePeers, nodeJson, REPO_ROOT, runPeer, type PeerName, type PeerRun } from './text.peers.ts';
import { buildState } from '../bin/freshness.js';

export const name = 'text';
export const title = 'Custom text classification (Comprehend parity): training, batch prediction, endpoint';

const DATA_DIR = join(REPO_ROOT, '..', 'shared', 'data');
/** Scoring threads of our batch prediction besides the main thread, which scores too: 2 threads, as fastText's peer script uses. */
const PREDICT_THREADS = 1;

interface TrainRun {
  trainSeconds: number;
  peakRssMb: number;
  baselineRssMb: number;
  modelMb: number;
  nWordFeatures: number;
  nCharFeatures: number;
}

interface PredictRun {
  nTest: number;
  loadSeconds: number;
  classifySeconds: number;
  seconds: number;
  warmClassifySeconds: number;
  peakRssMb: number;
  baselineRssMb: number;
  meanAuc: number;
  macroF1: number;
  microF1: number;
}

interface CliRun {
  wallSeconds: number;
  /** `sagebrush --help` in the same mode, just before: process start + loading the CLI's modules. */
  startSeconds: number;
  /** bin/sagebrush.js runs dist/ when 'fresh', else the sources through tsx (transpiled at start-up). */
  build: string;
  trainSeconds: number;
  meanAuc: number;
  macroF1: number;
  microF1: number;
  peakRssMb: number | null;
}

/** One row of a dataset table: what every system reports. */
interface Row {
  trainSeconds: number;
  meanAuc: number;
  macroF1: number;
  microF1: number;
  docsPerSec: number | null;
  predictPeakMb: number | null;
  trainPeakMb: number | null;
}

interface DatasetResult {
  dataset: PreparedDataset;
  repeats: number;
  /** predict: the batch path on PREDICT_THREADS scoring threads; inline: the same on the main thread only. */
  ours: { train: TrainRun; predict: PredictRun; row: Row; inline: PredictRun };
  peers: Partial<Record<PeerName, { runs: PeerRun[]; row: Row }>>;
  cli?: CliRun;
}

const minBy = <T>(xs: T[], f: (x: T) => number): T => xs.reduce((a, b) => (f(b) < f(a) ? b : a));
const maxOf = (xs: number[]) => Math.max(...xs);

async function runCli(ds: PreparedDataset, dir: string): Promise<CliRun> {
  const dataDir = mkdtempSync(join(dir, 'cli-'));
  const rssFile = join(dir, `cli-rss-${ds.key}.json`);
  const build = buildState(REPO_ROOT);
  const h0 = performance.now();
  // As users run it: `node bin/sagebrush.js` (no tsx preload; the launcher registers tsx itself when dist/ is stale).
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin', 'sagebrush.js'), '--help'], { cwd: REPO_ROOT, timeout: 120_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const startSeconds = (performance.now() - h0) / 1000;
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import', join(REPO_ROOT, 'bench', 'text.rss.mjs'), join(REPO_ROOT, 'bin', 'sagebrush.js'),
    '--data-dir', dataDir, '--json', 'text', 'train', ds.trainFile, '--mode', 'multi-label', '--test', ds.testFile,
  ], { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 30 * 60_000, env: { ...process.env, NODE_NO_WARNINGS: '1', SB_BENCH_RSS_FILE: rssFile } });
  const wallSeconds = (performance.now() - t0) / 1000;
  const out = JSON.parse(stdout) as { train_seconds: number; mean_auc: number; macro_f1: number; micro_f1: number };
  const rss = existsSync(rssFile) ? (JSON.parse(readFileSync(rssFile, 'utf8')) as { peakRssMb: number }).peakRssMb : null;
  return { wallSeconds, startSeconds, build, trainSeconds: out.train_seconds, meanAuc: out.mean_auc, macroF1: out.macro_f1, microF1: out.micro_f1, peakRssMb: rss };
}

function peerRow(peer: PeerName, runs: PeerRun[]): Row {
  const first = runs[0]!;
  const fit = minBy(runs, (r) => r.fit_seconds).fit_seconds;
  const pred = minBy(runs, (r) => r.predict_seconds).predict_seconds;
  return {
    trainSeconds: fit, meanAuc: first.mean_auc ?? NaN, macroF1: first.macro_f1, microF1: first.micro_f1, docsPerSec: first.n_test / pred,
    predictPeakMb: peer === 'fasttext' ? maxOf(runs.map((r) => r.predictProcessPeakMb ?? NaN)) : maxOf(runs.map((r) => r.selfPeakMb)),
    trainPeakMb: peer === 'fasttext' ? maxOf(runs.map((r) => r.trainProcessPeakMb ?? NaN)) : maxOf(runs.map((r) => r.selfPeakMb)),
  };
}

/**
 * Rounds of sklearn, fastText, then ours (peers first and ours last, so neither side always gets the warmer page
 * cache); best of `repeats`. Then once through the CLI. `concurrent` (smoke runs only, where the numbers mean
 * nothing) runs everything at once to stay within the smoke time budget.
 */
async function runDataset(ds: PreparedDataset, dir: string, peers: PeerName[], repeats: number, concurrent: boolean, log: (m: string) => void): Promise<DatasetResult> {
  const trains: TrainRun[] = [], predicts: PredictRun[] = [], inlinePredicts: PredictRun[] = [];
  const peerRuns: Partial<Record<PeerName, PeerRun[]>> = {};
  const modelFile = join(dir, `${ds.key}-model.bin`);
  const steps: Array<() => Promise<void>> = [];
  let cli: CliRun | undefined;
  for (let i = 0; i < repeats; i++) {
    // sklearn (quality reference, deterministic, minutes on GoEmotions) runs in the first round only
    for (const p of peers.filter((x) => i === 0 || x !== 'sklearn')) {
      steps.push(async () => {
        log(`${ds.key} round ${i + 1}/${repeats}: ${p}`);
        (peerRuns[p] ??= []).push(await runPeer(p, ds.trainFile, ds.testFile));
      });
    }
    steps.push(async () => {
      log(`${ds.key} round ${i + 1}/${repeats}: ours`);
      trains.push(await nodeJson<TrainRun>('text.worker.ts', ['train', ds.trainFile, modelFile]));
      predicts.push(await nodeJson<PredictRun>('text.worker.ts', ['predict', modelFile, ds.testFile, String(PREDICT_THREADS)]));
      inlinePredicts.push(await nodeJson<PredictRun>('text.worker.ts', ['predict', modelFile, ds.testFile, '0']));
    });
  }
  steps.push(async () => {
    log(`${ds.key}: ours via the CLI`);
    cli = await runCli(ds, dir);
  });
  if (concurrent) await Promise.all(steps.map((s) => s()));
  else for (const s of steps) await s();
  const train = minBy(trains, (r) => r.trainSeconds);
  const predict = minBy(predicts, (r) => r.seconds);
  const ours: Row = {
    trainSeconds: train.trainSeconds, meanAuc: predict.meanAuc, macroF1: predict.macroF1, microF1: predict.microF1, docsPerSec: predict.nTest / predict.seconds,
    predictPeakMb: maxOf(predicts.map((r) => r.peakRssMb)), trainPeakMb: maxOf(trains.map((r) => r.peakRssMb)),
  };
  const inline = minBy(inlinePredicts, (r) => r.seconds);
  const result: DatasetResult = { dataset: ds, repeats, ours: { train, predict, row: ours, inline }, peers: {}, cli };
  for (const p of peers) result.peers[p] = { runs: peerRuns[p]!, row: peerRow(p, peerRuns[p]!) };
  return result;
}

// ---------------------------------------------------------------- formatting

const fmt = (x: number | null | undefined, d = 0) =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const signed = (x: number, d = 4) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`;
const verdict = (met: boolean | null) => (met === null ? 'n/a' : met ? '**met**' : '**missed**');

interface Targets {
  trainVsFasttext: number | null;
  aucVsSklearn: number | null;
  trainMet: boolean | null;
  docsVsFasttext: number | null;
  batchMet: boolean | null;
  memoryMet: boolean;
}

function targets(r: DatasetResult): Targets {
  const ft = r.peers.fasttext?.row, sk = r.peers.sklearn?.row, o = r.ours.row;
  const trainVsFasttext = ft ? o.trainSeconds / ft.trainSeconds : null;
  const aucVsSklearn = sk ? o.meanAuc - sk.meanAuc : null;
  const trainMet = trainVsFasttext === null || aucVsSklearn === null ? null : trainVsFasttext <= 0.5 && aucVsSklearn >= -0.002;
  const docsVsFasttext = ft?.docsPerSec ? (o.docsPerSec ?? 0) / ft.docsPerSec : null;
  return { trainVsFasttext, aucVsSklearn, trainMet, docsVsFasttext, batchMet: docsVsFasttext === null ? null : docsVsFasttext >= 1, memoryMet: (o.predictPeakMb ?? Infinity) < 500 };
}

function datasetMarkdown(r: DatasetResult): string[] {
  const ds = r.dataset, t = targets(r);
  const sk = r.peers.sklearn, ft = r.peers.fasttext;
  const vsFt = (x: number) => (ft ? `${fmt(x / ft.row.trainSeconds, 2)}×` : '–');
  const vsSk = (auc: number) => (sk ? signed(auc - sk.row.meanAuc) : '–');
  const row = (label: string, x: Row) =>
    `| ${label} | ${fmt(x.trainSeconds, 2)} | ${vsFt(x.trainSeconds)} | ${fmt(x.meanAuc, 4)} | ${vsSk(x.meanAuc)} | ${fmt(x.macroF1, 4)} | ${fmt(x.microF1, 4)} | ${fmt(x.docsPerSec)} | ${fmt(x.predictPeakMb)} | ${fmt(x.trainPeakMb)} |`;
  const lines = [
    `### ${ds.title} — ${ds.nTrain.toLocaleString('en-US')} train / ${ds.nTest.toLocaleString('en-US')} test documents, ${ds.labels.length} labels (multi-label)`,
    '',
    `Split: ${ds.split}. fastText and ours: best of ${r.repeats} runs for times, quality from the first run${ft && ft.runs.length > 1 ? ` (fastText's mean AUC varied ${fmt(Math.min(...ft.runs.map((x) => x.mean_auc ?? NaN)), 4)}–${fmt(Math.max(...ft.runs.map((x) => x.mean_auc ?? NaN)), 4)} over the runs: 2 threads are not deterministic)` : ''}; sklearn: one run.`,
    '',
    '| system | train (s) | train time vs fastText | mean ROC AUC | AUC vs sklearn | macro F1 | micro F1 | batch predict (docs/s) | peak RSS, predict (MB) | peak RSS, train (MB) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  if (sk) lines.push(row(`scikit-learn ${sk.runs[0]!.version} (quality reference)`, sk.row));
  if (ft) lines.push(row(`fastText ${ft.runs[0]!.version}, 2 threads (speed reference)`, ft.row));
  lines.push(row(`**Sagebrush** (\`trainTextClassifier\`; batch path on ${PREDICT_THREADS + 1} threads)`, r.ours.row));
  if (r.cli) {
    const c = r.cli;
    lines.push(`| Sagebrush CLI end to end (\`sagebrush text train … --test …\`, wall) | ${fmt(c.wallSeconds, 2)} | ${vsFt(c.wallSeconds)} | ${fmt(c.meanAuc, 4)} | ${vsSk(c.meanAuc)} | ${fmt(c.macroF1, 4)} | ${fmt(c.microF1, 4)} | – | – | ${fmt(c.peakRssMb)} |`);
  }
  const o = r.ours;
  lines.push(
    '',
    `Targets: training time ≤ ½ fastText's at mean AUC ≥ sklearn's − 0.002: ${verdict(t.trainMet)}` +
      (t.trainVsFasttext !== null ? ` — ${fmt(t.trainVsFasttext, 2)}× fastText's time (target ≤ 0.50×${t.trainVsFasttext > 0.5 ? `, over by ${fmt((t.trainVsFasttext / 0.5 - 1) * 100)} %` : ''})` : '') +
      (t.aucVsSklearn !== null ? `, AUC ${signed(t.aucVsSklearn)} vs sklearn (floor −0.0020${t.aucVsSklearn < -0.002 ? `, short by ${fmt(-0.002 - t.aucVsSklearn, 4)}` : ''})` : '') + '. ' +
      `Batch prediction ≥ fastText's docs/s: ${verdict(t.batchMet)}` +
      (t.docsVsFasttext !== null ? ` — ${fmt(t.docsVsFasttext, 2)}× (${t.docsVsFasttext < 1 ? `short by ${fmt((1 - t.docsVsFasttext) * 100)} %` : `${fmt((t.docsVsFasttext - 1) * 100)} % ahead`})` : '') + '. ' +
      `Peak prediction memory < 500 MB: ${verdict(t.memoryMet)} — ${fmt(o.row.predictPeakMb)} MB.`,
    '',
    `Ours in detail: ${fmt(o.train.nWordFeatures)} word + ${fmt(o.train.nCharFeatures)} char_wb features, model.bin ${fmt(o.train.modelMb, 1)} MB. ` +
      `Prediction ${fmt(o.predict.seconds, 3)} s = load model.bin ${fmt(o.predict.loadSeconds, 3)} s + classify ${fmt(o.predict.classifySeconds, 3)} s ` +
      `(a second, warm pass over the same texts: ${fmt(o.predict.nTest / o.predict.warmClassifySeconds)} docs/s). ` +
      `The same batch path inline on the main thread only (SAGEBRUSH_SCORING_THREADS=0), cold (no warm-up): ${fmt(o.inline.nTest / o.inline.seconds)} docs/s = ${fmt(o.inline.nTest / o.inline.seconds / o.row.docsPerSec!, 2)}× the threaded figure, ${ft ? `${fmt(o.inline.nTest / o.inline.seconds / ft.row.docsPerSec!, 2)}× fastText's` : ''} (warm pass ${fmt(o.inline.nTest / o.inline.warmClassifySeconds)} docs/s). ` +
      `RSS before the clock: ${fmt(o.predict.baselineRssMb)} MB (Node + tsx + modules) for predict, ${fmt(o.train.baselineRssMb)} MB for train (data parsed).` +
      (r.cli ? ` CLI: the job's own train_seconds ${fmt(r.cli.trainSeconds, 2)} s of ${fmt(r.cli.wallSeconds, 2)} s wall (${fmt(r.cli.wallSeconds / r.cli.trainSeconds, 2)}×; target ≤ 1.5×), so start-up, the job system, two dataset imports, validation, evaluation and artifacts add ${fmt(r.cli.wallSeconds - r.cli.trainSeconds, 2)} s, ` +
        `of which start-up is about ${fmt(r.cli.startSeconds, 2)} s (\`sagebrush --help\` timed the same way just before; ${r.cli.build === 'fresh' ? 'the compiled dist/ ran' : `dist/ was ${r.cli.build}, so the CLI ran from the sources through tsx, which transpiles at start-up; \`npm run build\` gives the compiled start`}).` : ''),
  );
  return lines;
}

function endpointMarkdown(e: EndpointResult, smoke: boolean): string[] {
  const okOf = (l: LoadResult) => l.statuses['200'] ?? 0;
  const pooled = e.runs[0]!, inline = e.runs.find((r) => r.threads === 0);
  const main = pooled.loads[0]!, before = inline?.loads[0];
  const met = okOf(main) === main.count && main.p99 < 20;
  const cpuOf = (l: LoadResult) => (l.serverCpuUs ? `${fmt(l.serverCpuUs.eventLoop + l.serverCpuUs.busiestOther + l.serverCpuUs.rest)} = ${fmt(l.serverCpuUs.eventLoop)} + ${fmt(l.serverCpuUs.busiestOther)} + ${fmt(l.serverCpuUs.rest)}` : '–');
  const rows = e.runs.flatMap((r) => r.loads.map((l) =>
    `| ${r.label} | ${l.concurrency} | ${fmt(l.count)} (+${fmt(l.warmup)} warm-up) | ${fmt(l.reqPerSec)} | ${fmt(l.p50, 2)} | ${fmt(l.p95, 2)} | ${fmt(l.p99, 2)} | ${fmt(l.p99 / l.p50, 1)}× | ${fmt(l.max, 1)} | ${l.count - okOf(l)} | ${cpuOf(l)} | ${fmt(l.loadAvg, 1)} |`));
  const lines = [
    `${ENDPOINT_HEADING} (jigsaw model) — single-document \`POST /api/v1/endpoints/{name}/classify {"Text": …}\``,
    '',
    `Server: the real app (\`createAppContext\` + \`buildApp\`, embedded SQLite + job worker) in its own process on 127.0.0.1, free to use all ${e.serverCores} cores; the model was trained and deployed through the API (upload both CSVs with \`POST /api/v1/datasets?wait=true\`, \`POST /api/v1/text/classifiers\`, \`POST /api/v1/endpoints\`; ${fmt(e.setupSeconds, 1)} s, of which training ${fmt(e.trainSeconds, 2)} s). ` +
      `Each configuration is a fresh server process on the same data dir, measured in this run: the default (scoring threads = cores − 1: analysis and scoring on a piscina worker thread, the event loop does HTTP and JSON only, requests that wait are batched, one batch per thread) and \`SAGEBRUSH_SCORING_THREADS=0\` (scoring on the event loop with the micro-batcher — the path before issue 17, now with the fused scorer). ` +
      `Load: a separate Node process pinned with \`taskset -c ${e.loadCpus}\` (${main.cores} core), so client and server share CPU ${e.loadCpus} and the server has the other core to itself; N clients over keep-alive HTTP/1.1 (one socket each, \`bench/rawHttp.ts\`: a pre-built request buffer per call and the answer read by its Content-Length — since 2026-12-07; before, node:http's client used ~140 µs of CPU per request on the shared core, ~35 µs now), each sending the next test-set comment as soon as its previous answer arrived; warm-up requests first (a run of their own: the JIT of a fresh server process settles only after several thousand requests, and until then the server spends about twice the CPU per request), then the measured ones. The 1-client rows are the unloaded service time, for reference. ` +
      'Server CPU per request: user + system time of each server thread from /proc over the measured requests, divided by their number — the event loop (HTTP, routing, validation, JSON), the busiest other thread (the scoring thread when there is one) and every other thread together (V8 compiler and GC helpers, the job worker); unlike the latencies it hardly depends on what else the machine runs. Load average: the machine\'s 1-minute load average when the row started (2 cores; other work shares them).',
    '',
    '| server | clients | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | p99 ÷ p50 | max (ms) | non-200 | server CPU per request (µs): event loop + busiest other thread + the rest | load average |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Server peak RSS: ${e.runs.map((r) => `${r.label} ${fmt(r.peakRssMb)} MB`).join('; ')} (the first includes training).` + (main.firstError ? ` First error: ${main.firstError}.` : ''),
    '',
  ];
  if (smoke) return [...lines, 'Smoke run: a few requests only; latency figures are meaningless.'];
  lines.push(
    `Targets at ${main.concurrency} clients (default server): p99 < 20 ms: ${verdict(met)} — p99 ${fmt(main.p99, 2)} ms${main.p99 >= 20 ? ` (${fmt(main.p99 / 20, 1)}× the target)` : ''}; ` +
      (before ? `≥ 2× the requests/s of the inline server measured alongside: ${verdict(main.reqPerSec >= 2 * before.reqPerSec)} — ${fmt(main.reqPerSec / before.reqPerSec, 2)}× (${fmt(main.reqPerSec)} vs ${fmt(before.reqPerSec)} req/s), and ${fmt(main.reqPerSec / 966, 2)}× the 966 req/s recorded before issue 17 (earlier run, other load); ` : '') +
      `p99 ≤ 5 × p50: ${verdict(main.p99 <= 5 * main.p50)} — ${fmt(main.p99 / main.p50, 1)}×. ` +
      `With ${main.concurrency} requests always in flight the mean latency is ${main.concurrency} ÷ throughput (Little's law: ${fmt(main.mean, 2)} ms at ${fmt(main.reqPerSec)} req/s): p99 < 20 ms at ${main.concurrency} clients needs more than ${fmt(main.concurrency / 0.02)} req/s, on cores the load generator shares.`,
  );
  const alone = pooled.loads.find((l) => l.concurrency === 1), aloneInline = inline?.loads.find((l) => l.concurrency === 1);
  if (alone) {
    lines.push('', `**Where the time goes.** One request alone takes ${fmt(alone.p50, 2)} ms (p50 of the 1-client row, client included: HTTP, routing, validation, the hop to the scoring thread and back, JSON); ` +
      `at ${main.concurrency} clients the mean is ${fmt(main.mean, 2)} ms, so about ${fmt((1 - alone.p50 / main.mean) * 100)} % of a loaded request's time is waiting for a CPU, not work: the server is CPU-bound at ${fmt(main.reqPerSec)} req/s with its event loop (HTTP + JSON), its scoring thread and the load generator sharing ${e.serverCores} cores. ` +
      `Scoring a batch on the thread no longer stalls the event loop${aloneInline ? ` (1-client p99 ${fmt(alone.p99, 2)} ms, max ${fmt(alone.max, 1)} ms with the thread; ${fmt(aloneInline.p99, 2)} ms, max ${fmt(aloneInline.max, 1)} ms inline)` : ''}; what is left per request is mostly the HTTP and JSON work of the event loop, which a second event loop (more processes or cores) would divide.`);
  }
  const cpu = main.serverCpuUs, inlineCpu = before?.serverCpuUs;
  if (cpu) {
    const total = cpu.eventLoop + cpu.busiestOther + cpu.rest;
    lines.push('', `**CPU per request** (${main.concurrency} clients, default server): ${fmt(total)} µs — ${fmt(cpu.eventLoop)} µs on the event loop, ${fmt(cpu.busiestOther)} µs on the scoring thread, ${fmt(cpu.rest)} µs on other threads` +
      (inlineCpu ? `; inline: ${fmt(inlineCpu.eventLoop + inlineCpu.busiestOther + inlineCpu.rest)} µs (${fmt(inlineCpu.eventLoop)} µs on the event loop)` : '') +
      `. With a core each, the event loop alone would carry up to ${fmt(1e6 / cpu.eventLoop)} req/s and the scoring thread ${fmt(1e6 / cpu.busiestOther)} req/s; on ${e.serverCores} cores shared with the load generator and the machine's other work (load average ${fmt(main.loadAvg, 1)}), the server got ${fmt((main.reqPerSec * total) / 1e6, 2)} cores' worth of CPU for its ${fmt(main.reqPerSec)} req/s.`);
  }
  if (e.burst) {
    const b = e.burst;
    lines.push('', `**Burst** (default server, after the loads above): ${b.results.length} bursts of ${fmt(b.results[0]!.count)} requests sent at once, one connection each, every 10th malformed (broken JSON, no Text, a number as Text, blank Text, 26 documents), the valid ones compared with answers fetched one by one beforehand.`, '',
      '| burst | valid answered correctly | malformed answered 400 | 5xx / connection errors | statuses | seconds | server RSS after (MB) |', '|---:|---:|---:|---:|---|---:|---:|',
      ...b.results.map((r, i) => `| ${i + 1} | ${fmt(r.validOk)} of ${fmt(r.valid)} | ${fmt(r.badRefused)} of ${fmt(r.malformed)} | ${r.serverErrors} | ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${fmt(r.seconds, 2)} | ${fmt(b.rssMb[i + 1])} |`),
      '', `Server RSS before the bursts: ${fmt(b.rssMb[0])} MB; after the first ${fmt(b.rssMb[1])} MB, after the second ${fmt(b.rssMb[2])} MB (${signed(b.rssMb[2]! - b.rssMb[1]!, 1)} MB between them).`);
  }
  return lines;
}

function method(repeats: Record<string, number>): string[] {
  return [
    '**Method.** The same Comprehend two-column multi-label CSV files (`l1|l2,"text"`, no header, written to a temp dir) go to all three systems. ' +
      'jigsaw-10k: the wide CSV converted (rows with no label get `clean`; 7 labels) and split 80/20 by our iterative stratification ' +
      '(`iterativeTrainTestSplit` from src/ml/split, seed 42 — the `text.train` job\'s own automatic split), so every label is in both parts. ' +
      'GoEmotions: the official train → dev files, 28 labels. Peers: `../shared/peers/sklearn_textclf.py` and `fasttext_textclf.py`, unchanged, run with ' +
      '`/usr/bin/python3 … --multi-label`; their own figures (fit_seconds, predict_seconds, quality at 0.5) are used. ' +
      `Ours: \`bench/text.worker.ts\` in a fresh Node process per measurement — train parses the file as the \`text.train\` job does and times \`trainTextClassifier\` with the job's default options (the job's \`train_seconds\`), then writes model.bin (untimed; since issue 17 the file also carries the char_wb columns of the word vocabulary's words, computed from the model when it is saved — src/ml/text/wordColumns.ts — so a cold scoring thread looks them up instead of working them out: ~1.7 MB more on jigsaw-10k); ` +
      'predict loads model.bin as the batch job does (`predictorFromFile` of src/domains/text/predictor.ts: the file read straight into shared memory in up to 4 page-aligned parts on libuv\'s thread pool, src/storage/artifacts/readShared.ts — since 2026-12-07; the job itself read it into a Buffer and copied that into shared memory on the event loop before, ~5 ms more than this bench measured) and runs the batch job\'s raw path (`runBatchJob` with `scoreRaw`/`localRaw`: the fused scorer in chunks on 2 threads — fastText\'s thread count: one scoring thread of the pool, loading the model from its shared bytes inside the clock (reusing the main thread\'s checked look-up filters), and the main thread, as the job uses its own thread; both claim chunks from one shared counter (src/domains/text/sharedChunks.ts; each chunk a share of what is left, so both threads end together) and score into one shared score array, the main thread writing the Comprehend JSON lines of the scored run as bytes, in input order, between its own chunks (`scoreLines`, the job\'s own loop); or inline on the main thread only, for the comparison), timed from reading model.bin to the output\'s bytes (what the job stores). ' +
      'Before the clock, as in a running server, the pool is started by its own `start()` (src/domains/text/scoringPool.ts — what deploying an endpoint runs too): the pool thread starts and JIT-warms its scoring code, and the main thread warms its scorer and its JSON-lines writer meanwhile, on tiny built-in models and made-up scores (src/ml/text/warmUp.ts, `warmUpResultLines` in resultLines.ts; no data of the benchmark, shaped to take the branches a real model takes, so the first real batch does not deoptimise them); the inline run gets no warm-up: a fresh process\'s first batch, JIT compilation included; ' +
      'quality is computed from the returned scores (rounded to 4 decimals, as served) with src/ml/metrics (mean ROC AUC over labels present in the test set, as the peers do). ' +
      `fastText and ours: times are the best of ${Object.entries(repeats).map(([k, n]) => `${n} (${k})`).join(', ')} rounds, each running fastText then ours; sklearn (deterministic, and only the quality reference) runs once, in the first round.`,
    '',
    '**What each column covers.** Train: sklearn = vectorize + fit; fastText = its `supervised` process (start, read, train, save); ours = vectorize + fit in-process. ' +
      'Batch predict: fastText = its `predict-prob` process (loads model.bin, reads, scores, writes); ours = load model.bin + score + JSON lines; sklearn = transform + predict_proba of the in-memory model. ' +
      'Peak RSS: ours = `process.resourceUsage().maxRSS` of the worker process (Node + tsx included); fastText = `ru_maxrss` of its `predict-prob` / `supervised` process (reaped with `os.wait4`); ' +
      'sklearn fits and predicts in one process, so both columns show that process\'s whole peak.',
  ];
}

const ENDPOINT_HEADING = '### Real-time endpoint';

/**
 * `SB_BENCH_TEXT_ONLY=endpoint`: only the endpoint part runs; the section keeps the data-set tables of the last full
 * run (read from docs/benchmarks.md) and says so, with the endpoint part in place of the old one.
 */
function withEarlierTables(endpoint: string[]): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'benchmarks.md'), 'utf8');
  const section = doc.slice(doc.indexOf('<!-- bench:text:start -->'), doc.indexOf('<!-- bench:text:end -->'));
  // an earlier endpoint-only run names the full run its tables come from: keep that date, not its own
  const earlier = /^The training and batch tables below are from the full run of (\S+);.*\n/m.exec(section);
  const ran = earlier?.[1] ?? /^Run (\S+) on .*$/m.exec(section)?.[1] ?? 'an earlier run';
  const body = section.slice(section.search(/^Command: .*$/m)).replace(/^Command: .*\n/, '').replace(earlier?.[0] ?? '\0', '');
  const head = body.slice(0, body.indexOf(ENDPOINT_HEADING) >= 0 ? body.indexOf(ENDPOINT_HEADING) : body.search(/^Notes: /m)).trim();
  const notes = /^Notes: .*$/m.exec(body)?.[0] ?? '';
  return [`The training and batch tables below are from the full run of ${ran}; the endpoint part was re-run alone (\`SB_BENCH_TEXT_ONLY=endpoint\`) as dated above.`, '', head, '', ...endpoint, '', notes].join('\n').trim();
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const smoke = options.smoke;
  const log = (m: string) => console.error(`[text] ${m}`);
  if (!existsSync(DATA_DIR)) {
    const msg = `Skipped: shared data not found at ${DATA_DIR} (needs jigsaw-toxic-balanced-10k/ and goemotions/).`;
    return { markdown: msg, summary: { skipped: msg } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-text-'));
  try {
    const { datasets, skipped } = prepareDatasets(DATA_DIR, dir, smoke);
    if (datasets.length === 0) {
      const msg = `Skipped: no data set found (${skipped.join('; ')}).`;
      return { markdown: msg, summary: { skipped: msg } };
    }
    const peers = ensurePeers(!smoke, log);
    const repeats: Record<string, number> = Object.fromEntries(datasets.map((d) => [d.key, smoke ? 1 : 3]));
    const jigsaw = datasets.find((d) => d.key === 'jigsaw');
    const measureLoad = () => {
      log('endpoint: server, train + deploy through the API, load');
      return measureEndpoint({
        dir, trainFile: jigsaw!.trainFile, testFile: jigsaw!.testFile, texts: jigsaw!.testTexts,
        levels: smoke ? [{ concurrency: 5, warmup: 5, count: 20 }] : [{ concurrency: 50, warmup: 10_000, count: 5000 }, { concurrency: 1, warmup: 100, count: 1000 }],
        servers: [{ label: 'default: scoring threads (cores − 1)', threads: null, burst: true }, { label: 'inline (`SAGEBRUSH_SCORING_THREADS=0`)', threads: 0 }],
        burstCount: smoke ? 50 : 1000,
      });
    };
    const results: DatasetResult[] = [];
    let endpoint: EndpointResult | undefined;
    if (process.env.SB_BENCH_TEXT_ONLY === 'endpoint' && jigsaw && !smoke) {
      endpoint = await measureLoad();
      return { markdown: withEarlierTables(endpointMarkdown(endpoint, false)), summary: { endpointOnly: true, endpoint: endpoint.runs.map((r) => ({ server: r.label, loads: r.loads })) } };
    }
    if (smoke) {
      // smoke: everything at once (the numbers mean nothing; this only checks that every path still runs)
      const [rs, ep] = await Promise.all([
        Promise.all(datasets.map((ds) => runDataset(ds, dir, peers.available, 1, true, log))),
        jigsaw ? measureLoad() : Promise.resolve(undefined),
      ]);
      results.push(...rs);
      endpoint = ep;
    } else {
      for (const ds of datasets) results.push(await runDataset(ds, dir, peers.available, repeats[ds.key]!, false, log));
      if (jigsaw) endpoint = await measureLoad();
    }

    const md: string[] = [...method(repeats), ''];
    for (const r of results) md.push(...datasetMarkdown(r), '');
    if (endpoint) md.push(...endpointMarkdown(endpoint, smoke), '');
    const notes = [
      'the machine is shared with other work (see the load average above), so absolute times are noisy; compare the ratios, measured in the same run with best-of-N times',
      'fastText\'s lower AUC is its model, not a bug here: 50-dimensional word + bigram embeddings with no character n-grams, at the settings of the peer script',
      ...skipped.map((s) => `${s}: skipped`),
      ...peers.notes,
    ];
    md.push(`Notes: ${notes.join('; ')}.`, '');

    const summary: Record<string, unknown> = {};
    for (const r of results) {
      const t = targets(r);
      const pick = (x: Row | undefined) => x && { trainSeconds: +x.trainSeconds.toFixed(2), meanAuc: +x.meanAuc.toFixed(4), macroF1: +x.macroF1.toFixed(4), microF1: +x.microF1.toFixed(4), docsPerSec: Math.round(x.docsPerSec ?? 0), predictPeakMb: Math.round(x.predictPeakMb ?? 0) };
      summary[r.dataset.key] = {
        ours: pick(r.ours.row), sklearn: pick(r.peers.sklearn?.row), fasttext: pick(r.peers.fasttext?.row),
        cliWallSeconds: r.cli && +r.cli.wallSeconds.toFixed(2),
        trainVsFasttext: t.trainVsFasttext && +t.trainVsFasttext.toFixed(3), aucVsSklearn: t.aucVsSklearn && +t.aucVsSklearn.toFixed(4),
        docsVsFasttext: t.docsVsFasttext && +t.docsVsFasttext.toFixed(3),
        fasttextAucRange: r.peers.fasttext && [Math.min(...r.peers.fasttext.runs.map((x) => x.mean_auc ?? NaN)), Math.max(...r.peers.fasttext.runs.map((x) => x.mean_auc ?? NaN))],
        targets: { train: t.trainMet, batch: t.batchMet, memory: t.memoryMet },
      };
    }
    if (endpoint) {
      summary.endpoint = endpoint.runs.map((r) => ({
        server: r.label,
        loads: r.loads.map((l) => ({ clients: l.concurrency, p50: +l.p50.toFixed(2), p95: +l.p95.toFixed(2), p99: +l.p99.toFixed(2), reqPerSec: Math.round(l.reqPerSec), non200: l.count - (l.statuses['200'] ?? 0) })),
      }));
      const main = endpoint.runs[0]!.loads[0]!;
      summary.endpointTargetMet = !smoke && main.p99 < 20 && (main.statuses['200'] ?? 0) === main.count;
      summary.burst = endpoint.burst && { rssMb: endpoint.burst.rssMb.map((x) => Math.round(x)), results: endpoint.burst.results.map((r) => ({ validOk: r.validOk, valid: r.valid, badRefused: r.badRefused, serverErrors: r.serverErrors })) };
    }
    return { markdown: md.join('\n').trim(), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
