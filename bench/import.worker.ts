/**
 * One measurement of the import benchmark, in its own process so its peak memory is its own.
 * Usage: tsx bench/import.worker.ts <ours|ours-reader|peer> <file.csv>
 * Modules are loaded and the app is started before the clock starts. Prints one JSON line:
 * { rows, seconds, importSeconds?, baselineRssMb, peakRssMb }.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse';
import { createAppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/core/config.ts';
import { importFile } from '../src/domains/datasets/formats/index.ts';
import { DEFAULT_LIMITS } from '../src/domains/datasets/formats/types.ts';

interface Result {
  rows: number;
  importSeconds?: number;
}

type Prepared = { run(): Promise<Result>; close(): Promise<void> };

async function peer(file: string): Promise<Prepared> {
  return {
    async run() {
      let rows = 0;
      for await (const _record of createReadStream(file).pipe(parse({ relax_column_count: true }))) rows++;
      return { rows: rows - 1 };
    },
    async close() {},
  };
}

async function oursReader(file: string): Promise<Prepared> {
  return {
    async run() {
      const r = await importFile({
        open: async () => createReadStream(file),
        localPath: async () => file,
        fileName: basename(file),
        sizeBytes: statSync(file).size,
        format: 'auto',
        header: 'auto',
        limits: { ...DEFAULT_LIMITS, maxArchiveBytes: 2 ** 32 },
      });
      return { rows: r.rowCount };
    },
    async close() {},
  };
}

async function ours(file: string): Promise<Prepared> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-bench-import-'));
  const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', maxUploadBytes: 4 * 2 ** 30 } }));
  await ctx.queue.startWorker();
  return {
    async run() {
      const accepted = await ctx.services.datasets.upload({ stream: createReadStream(file), fileName: basename(file), name: 'bench' });
      const { version } = await ctx.services.datasets.waitForImport(accepted.job.id);
      const job = await ctx.queue.get(accepted.job.id);
      return { rows: version.rowCount, importSeconds: (Date.parse(job.finishedAt ?? '') - Date.parse(job.startedAt ?? '')) / 1000 };
    },
    async close() {
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const [mode, file] = process.argv.slice(2);
const prepare = mode === 'peer' ? peer : mode === 'ours-reader' ? oursReader : mode === 'ours' ? ours : undefined;
if (!prepare || !file) {
  console.error('usage: import.worker.ts <ours|ours-reader|peer> <file>');
  process.exit(2);
}
const prepared = await prepare(file);
const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
const started = process.hrtime.bigint();
const result = await prepared.run();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
await prepared.close();
console.log(JSON.stringify({ ...result, seconds, baselineRssMb, peakRssMb }));
