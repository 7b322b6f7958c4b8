/**
 * Preloaded into a process we do not control (`node --import ./bench/text.rss.mjs bin/sagebrush.js …`, the CLI) to
 * record its peak RSS and CPU time: on exit it writes `{"peakRssMb": …, "cpuSeconds": …}` to the file named by SB_BENCH_RSS_FILE. Plain JavaScript,
 * so the CLI runs as users run it: no tsx loader (which costs ~1 s of start-up and hooks every module load).
 */
import { writeFileSync } from 'node:fs';

const out = process.env.SB_BENCH_RSS_FILE;
// cpuSeconds: user + system CPU of the whole process (every thread), which load from other processes barely changes.
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ peakRssMb: u.maxRSS / 1024, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6 }));
  });
}
