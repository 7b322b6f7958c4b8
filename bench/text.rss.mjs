/**
 * Preloaded into a process we do not control (`node --import ./bench/text.rss.mjs bin/sagebrush.js …`, the CLI) to
 * record its peak RSS: on exit it writes `{"peakRssMb": …}` to the file named by SB_BENCH_RSS_FILE. Plain JavaScript,
 * so the CLI runs as users run it: no tsx loader (which costs ~1 s of start-up and hooks every module load).
 */
import { writeFileSync } from 'node:fs';

const out = process.env.SB_BENCH_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 })));
