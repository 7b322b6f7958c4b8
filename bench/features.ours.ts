/**
 * Our side of `npm run bench features`, in its own process (its peak RSS is its own): point-in-time retrieval through
 * the feature service on the SQLite offline store the bench wrote. Usage: features.ours.ts DB.sqlite ENTITIES.csv GROUP
 * Prints one JSON line: seconds, matched, checksum (sum of f2 over matched rows), RSS before the clock and peak.
 */
import { readFileSync } from 'node:fs';
import { openDatabase } from '../src/storage/db.ts';
import { createFeatureService } from '../src/domains/features/index.ts';

const [dbPath, entitiesPath, group] = process.argv.slice(2) as [string, string, string];
const db = await openDatabase(`sqlite:${dbPath}`);
const features = createFeatureService({ db });
const entities = readFileSync(entitiesPath, 'utf8').trim().split('\n').slice(1).map((line) => {
  const [recordId, timestamp] = line.split(',');
  return { recordId, timestamp: Number(timestamp) };
});
await features.get(group);
const rss = () => process.resourceUsage().maxRSS / 1024;
const baselineRssMb = rss();
const t0 = performance.now();
const res = await features.retrieve(group, entities);
const seconds = (performance.now() - t0) / 1000;
let checksum = 0;
for (const r of res.items) if (r.values) checksum += r.values.f2 as number;
await db.destroy();
console.log(JSON.stringify({ seconds, rows: res.rows, matched: res.matched, checksum, baselineRssMb, peakRssMb: rss() }));
