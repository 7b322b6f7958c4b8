/**
 * Synthea import speed (resources/s) into a fresh embedded store: `tsx src/domains/fhir/testing/importSpeed.ts [N] [sqlite:PATH|postgres://…]`.
 * Exported for the bench suite. Counts bundle entries plus generated Coverages; validation and indexing included.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Bundle } from '@medplum/fhirtypes';
import { createLogger } from '../../../core/logger.ts';
import { openDatabase } from '../../../storage/db.ts';
import { createFhirService } from '../service.ts';
import { loadDefinitions } from '../validate.ts';
import { SYNTHEA_DIR } from './fixtures.ts';

export interface ImportSpeed {
  files: number;
  resources: number;
  seconds: number;
  resourcesPerSecond: number;
  /** Per-file resources/s, slowest first. */
  perFile: number[];
}

export async function measureImportSpeed(options: { count?: number; databaseUrl?: string; withCoverage?: string } = {}): Promise<ImportSpeed> {
  const files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz')).sort().slice(0, options.count ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'sb-fhir-speed-'));
  const db = await openDatabase(options.databaseUrl ?? `sqlite:${join(dir, 'fhir.db')}`);
  try {
    const fhir = createFhirService({ db, logger: createLogger('silent') });
    loadDefinitions(); // one-time (~1 s), not part of the import rate
    let resources = 0;
    let ms = 0;
    const perFile: number[] = [];
    for (const f of files) {
      const bundle = JSON.parse(gunzipSync(readFileSync(join(SYNTHEA_DIR, f))).toString('utf8')) as Bundle;
      const t0 = performance.now();
      const r = await fhir.importBundle(bundle, { withCoverage: options.withCoverage ?? 'Acme Health' });
      const dt = performance.now() - t0;
      const n = (bundle.entry?.length ?? 0) + r.coverages;
      resources += n;
      ms += dt;
      perFile.push(Math.round(n / (dt / 1000)));
    }
    return { files: files.length, resources, seconds: Number((ms / 1000).toFixed(2)), resourcesPerSecond: Math.round(resources / (ms / 1000)), perFile: perFile.sort((a, b) => a - b) };
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('importSpeed.ts')) {
  const r = await measureImportSpeed({ count: Number(process.argv[2] ?? 10), ...(process.argv[3] ? { databaseUrl: process.argv[3] } : {}) });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
