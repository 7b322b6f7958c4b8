/**
 * Chosen versions of the quality bench's jigsaw-10k tunes (JIGSAW_EXTRA) on the bench's own split (seed 42, 1,996
 * test documents) beside the scikit-learn peer in the same run, without the rest of the bench (its other tunes,
 * ablations, GoEmotions) and without rewriting docs/benchmarks.md: for measuring one new version against the last.
 * Run: npx tsx bench/quality.split.ts [--versions 9,10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JIGSAW_EXTRA, oursSession, runPeer, type Measured } from './quality.bench.ts';
import { preparedDataset } from './text.data.ts';

const i = process.argv.indexOf('--versions');
const versions = i < 0 ? [9, 10] : process.argv[i + 1]!.split(',').map(Number);
const extras = versions.map((v) => JIGSAW_EXTRA.find((e) => e.version === v) ?? (() => { throw new Error(`no version ${v} in JIGSAW_EXTRA`); })());
const ds = await preparedDataset('jigsaw', 'sb-qs-');
const dir = mkdtempSync(join(tmpdir(), 'sb-bench-split-'));
const f4 = (x: number) => x.toFixed(4);
try {
  const started = Date.now();
  const peerRun = runPeer(ds);
  const session = await oursSession(ds, dir);
  const ours: Measured[] = [];
  try {
    for (const x of extras) {
      ours.push(await session.measure(x.request));
      console.error(`[split] version ${x.version}: tuned macro F1 ${f4(ours.at(-1)!.result.after.macro_f1)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await session.close();
  }
  const peer = await peerRun;
  console.log(`| jigsaw-10k, seed-42 split | tuned macro F1 | mean ROC AUC | ceiling | tune s (ours / peer) |\n|---|---:|---:|---:|---:|`);
  console.log(`| scikit-learn tuned | ${f4(peer.tuned_macro_f1)} | ${f4(peer.mean_auc)} | – | ${peer.tune_seconds.toFixed(1)} |`);
  extras.forEach((x, k) => {
    const m = ours[k]!;
    console.log(`| version ${x.version} (${x.what}) | ${f4(m.result.after.macro_f1)} | ${f4(m.meanAuc)} | ${f4(m.ceilingMacroF1)} | ${m.result.tuneSeconds.toFixed(1)} / ${peer.tune_seconds.toFixed(1)} |`);
  });
  console.log(`\nsummary: ${JSON.stringify({ peer: { f1: peer.tuned_macro_f1, auc: peer.mean_auc }, ...Object.fromEntries(extras.map((x, k) => [`v${x.version}`, { f1: ours[k]!.result.after.macro_f1, auc: ours[k]!.meanAuc, ceiling: ours[k]!.ceilingMacroF1, perLabel: ours[k]!.result.after.per_label }])) })}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
