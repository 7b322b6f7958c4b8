/**
 * Preloaded into a process we do not control (`node --import tsx --import ./bench/text.rss.ts …`, e.g. the CLI) to
 * record its peak RSS: on exit it writes `{"peakRssMb": …}` to the file named by SB_BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.SB_BENCH_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 })));
