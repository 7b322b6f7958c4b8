/**
 * The real Sagebrush server for the CDS Hooks benchmark, in its own process (bench/serve.ts) on a temp data dir
 * (embedded SQLite FHIR store, CQL rules, CDS services), listening on 127.0.0.1 on a free port.
 * Client JWT verification is off (no CDS clients configured, `cdsRequireJwt: false`: local development mode).
 * SB_BENCH_CQL_THREADS sets SAGEBRUSH_CQL_THREADS (rule threads; 0 = inline); the threads the rule engine really
 * runs and the cores this process sees are written to DATA_DIR/bench-info.json for the table.
 * Usage: tsx bench/cds.server.ts DATA_DIR — prints `{"port": N}` once listening; when stdin closes (the parent is
 * done or went away) or on SIGTERM it closes everything and prints `{"peakRssMb": …}`.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { serveForBench } from './serve.ts';

// With its job thread, as `sagebrush serve` runs: the thread's SQLite connection then runs the WAL checkpoints
// (jobs/thread/host.ts), which otherwise run on this event loop inside an audit commit (~20 ms of fsync every few MB).
// Mode (c) reads this server's own /fhir/R4 over plain http on loopback, which the SSRF guard refuses unless the
// origin is allow-listed (SAGEBRUSH_CDS_FHIR_ALLOW), as a developer would for a local FHIR server.
const port = process.env.SB_BENCH_PORT;
const threads = process.env.SB_BENCH_CQL_THREADS;
const ctx = await serveForBench('cds.server.ts', {
  cdsClients: [], cdsRequireJwt: false, cdsEmbeddedFhir: true,
  cdsFhirServerAllow: port ? [`http://127.0.0.1:${port}`] : [],
  ...(threads !== undefined ? { cqlThreads: threads } : {}),
}, { startWorker: true });
const ruleThreads = (ctx.services.rules as { threads?: number }).threads ?? 0;
writeFileSync(join(process.argv[2]!, 'bench-info.json'), JSON.stringify({ ruleThreads, cores: availableParallelism() }));
