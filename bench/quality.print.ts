/**
 * Runs the quality bench's code (bench/quality.bench.ts) and prints its tables without rewriting docs/benchmarks.md
 * (bench/run.ts rewrites the section): for one-off measurements while others edit that file.
 * Run: SAGEBRUSH_BENCH_QUALITY_DATASETS=jigsaw SAGEBRUSH_BENCH_QUALITY_ABLATION=0 npx tsx bench/quality.print.ts
 */
import { run } from './quality.bench.ts';

const started = Date.now();
const result = await run({ smoke: process.argv.includes('--smoke') });
console.log(result.markdown);
console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s) summary: ${JSON.stringify(result.summary)}`);
