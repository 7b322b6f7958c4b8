/**
 * Iteration aid for issue 17 (not part of `npm run bench`): the real app in this process (threads = 0 unless
 * SB_CQL_THREADS), N Synthea patients imported, then order-sign calls one after the other through `app.inject`
 * with full prefetch (a) and without (b), reporting CPU milliseconds per call (this process, all threads).
 * Usage: tsx bench/cds.cpu.ts [PATIENTS=20] [CALLS=400]   (run with --cpu-prof to profile)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { createAppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/core/config.ts';
import { buildApp } from '../src/http/app.ts';
import { REPO_ROOT } from './text.peers.ts';

const SYNTHEA_DIR = join(REPO_ROOT, '..', 'shared', 'data', 'fhir-r4', 'synthea-r4-smart');
/** CPU seconds of this process's main thread (the event loop), from /proc. */
function mainThreadCpu(): number {
  const f = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
const nPatients = Number(process.argv[2] ?? 20);
const nCalls = Number(process.argv[3] ?? 400);
const dataDir = mkdtempSync(join(tmpdir(), 'sb-cds-cpu-'));
const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', apiTokens: [], cdsClients: [], cdsRequireJwt: false, cdsEmbeddedFhir: true, cqlThreads: process.env.SB_CQL_THREADS ?? '0' } }));
const app = await buildApp(ctx, { webDist: join(dataDir, 'no-web-ui') });
try {
  const files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz')).sort().slice(0, nPatients);
  const patients: string[] = [];
  for (const f of files) {
    const r = await ctx.services.fhir.importBundle(JSON.parse(gunzipSync(readFileSync(join(SYNTHEA_DIR, f))).toString('utf8')), { withCoverage: 'Acme Health', plans: ['acme-gold', 'acme-standard'] });
    patients.push(...(r as { patients: string[] }).patients);
  }
  const samples = ctx.services.cds.samples();
  const orders = ['amoxicillin', 'mri-lumbar'].map((id) => samples.find((s) => s.id === id)!.resource);
  const bodies: Record<'a' | 'b', string[]> = { a: [], b: [] };
  for (const p of patients) for (const o of orders) {
    for (const mode of ['a', 'b'] as const) {
      const { request } = await ctx.services.cds.buildRequest({ hook: 'order-sign', patientId: p, order: o, prefetch: mode === 'a' });
      bodies[mode].push(JSON.stringify(request));
    }
  }
  const url = '/cds-services/order-sign-crd';
  for (const mode of ['a', 'b'] as const) {
    const list = bodies[mode];
    for (let i = 0; i < 100; i++) await app.inject({ method: 'POST', url, payload: list[i % list.length]!, headers: { 'content-type': 'application/json' } });
    const prof = process.env.SB_PROF ? new Session() : null;
    if (prof) { prof.connect(); await prof.post('Profiler.enable'); await prof.post('Profiler.start'); }
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpu();
    const t0 = performance.now();
    // CPU per call in chunks of 25 calls: under a shared, loaded machine the fastest chunk is the steadiest figure.
    const chunks: number[] = [];
    let c0 = process.cpuUsage();
    for (let i = 0; i < nCalls; i++) {
      const r = await app.inject({ method: 'POST', url, payload: list[i % list.length]!, headers: { 'content-type': 'application/json' } });
      if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body.slice(0, 300)}`);
      if ((i + 1) % 25 === 0) {
        const c = process.cpuUsage(c0);
        chunks.push((c.user + c.system) / 1000 / 25);
        c0 = process.cpuUsage();
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const mainMs = (mainThreadCpu() - main0) * 1000 / nCalls;
    chunks.sort((x, y) => x - y);
    const wall = performance.now() - t0;
    if (prof) { const { profile } = await prof.post('Profiler.stop'); writeFileSync(`${process.env.SB_PROF}-${mode}.cpuprofile`, JSON.stringify(profile)); prof.disconnect(); }
    console.log(JSON.stringify({ mode, calls: nCalls, cpuMsPerCall: +((cpu.user + cpu.system) / 1000 / nCalls).toFixed(2), minChunk: +chunks[0]!.toFixed(2), mainThreadMsPerCall: +mainMs.toFixed(2), p25Chunk: +chunks[Math.floor(chunks.length / 4)]!.toFixed(2), wallMsPerCall: +(wall / nCalls).toFixed(2), load1: +loadavg()[0].toFixed(2) }));
  }
} finally {
  await app.close();
  await ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
}
