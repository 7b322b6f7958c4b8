/**
 * CDS Hooks / Da Vinci CRD (issue 8): Synthea import speed into the embedded FHIR store, then the latency of
 * `POST /cds-services/order-sign-crd` on loopback against the real server process (bench/cds.server.ts, SQLite in a
 * temp data dir, client JWTs off), from a separate load process (bench/cds.load.ts) at 1 and 50 keep-alive clients:
 * (a) full prefetch — every template of the service's discovery entry filled beforehand from the server's own
 * /fhir/R4, as an EHR would; (b) no prefetch, `fhirServer` = the server's own /fhir/R4 (the service fetches);
 * (c) no prefetch, `fhirServer` a loopback URL the service does not recognise as its own, so every read goes through
 * the remote FHIR client over HTTP (what an external FHIR server costs, minus the network).
 * There is no peer: nothing comparable is installed; the target is absolute (p95 < 100 ms).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BenchOptions, BenchResult } from './run.ts';
import { freePort, startBenchServer } from './serverProcess.ts';
import { nodeJson, REPO_ROOT } from './text.peers.ts';

export const name = 'cds';
export const title = 'CDS Hooks / Da Vinci CRD: Synthea import and order-sign latency';

const SYNTHEA_DIR = join(REPO_ROOT, '..', 'shared', 'data', 'fhir-r4', 'synthea-r4-smart');
const SERVICE_ID = 'order-sign-crd';
const TARGET_P95_MS = 100;
const PAYER = 'Acme Health';
const PLANS = ['acme-gold', 'acme-standard'];
const ORDER_SAMPLES = ['amoxicillin', 'mri-lumbar'];

interface LoadResult {
  concurrency: number;
  warmup: number;
  count: number;
  seconds: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  statuses: Record<string, number>;
  firstError?: string;
  cardsPerRequest: number;
  meanRequestKb: number;
  /** The load process's CPU seconds over the measured requests. */
  cpuSeconds?: number;
  /** Cores the server process used over the whole phase (warm-up included): its CPU seconds ÷ wall seconds. */
  serverCores?: number;
  /** The same for its main thread alone (the event loop). */
  eventLoopCores?: number;
  /** The server's CPU milliseconds per request over the phase (warm-up included): what a call costs, whatever the machine's load. */
  serverCpuMs?: number;
}

/** CPU seconds (user + system) a process (all threads) or one of its threads has used so far, from /proc; null where there is no /proc. */
function cpuSecondsOf(pid: number | undefined, thread?: number): number | null {
  try {
    const fields = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

async function http<T>(method: string, url: string, body?: string, contentType = 'application/json'): Promise<{ status: number; json: T }> {
  const res = await fetch(url, { method, ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

async function ok<T>(method: string, url: string, body?: string, contentType?: string): Promise<T> {
  const r = await http<T>(method, url, body, contentType);
  if (r.status !== 200) throw new Error(`${method} ${url}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 500)}`);
  return r.json;
}

// ---------------------------------------------------------------- import

interface ImportRow {
  created: number;
  updated: number;
  unchanged: number;
  coverages: number;
  patients: string[];
  entries: number;
  elapsedMs: number;
}

interface ImportResult {
  bundles: number;
  entries: number;
  resources: number;
  coverages: number;
  megabytes: number;
  seconds: number;
  serverSeconds: number;
  patients: string[];
}

/** Bundles by file name; smoke: the smallest. Each is decompressed before the clock; the POSTs are timed, one after the other. */
async function importBundles(base: string, n: number, smoke: boolean): Promise<ImportResult> {
  let files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz')).sort();
  if (smoke) files = files.map((f) => ({ f, size: readFileSync(join(SYNTHEA_DIR, f)).length })).sort((a, b) => a.size - b.size).slice(0, n).map((x) => x.f);
  else files = files.slice(0, n);
  const texts = files.map((f) => gunzipSync(readFileSync(join(SYNTHEA_DIR, f))).toString('utf8'));
  const url = `${base}/api/v1/fhir/import?withCoverage=${encodeURIComponent(PAYER)}&plans=${PLANS.join(',')}`;
  const out: ImportResult = { bundles: files.length, entries: 0, resources: 0, coverages: 0, megabytes: 0, seconds: 0, serverSeconds: 0, patients: [] };
  const t0 = performance.now();
  for (const text of texts) {
    const r = await ok<ImportRow>('POST', url, text);
    out.entries += r.entries;
    out.resources += r.created + r.updated;
    out.coverages += r.coverages;
    out.serverSeconds += r.elapsedMs / 1000;
    out.patients.push(...r.patients);
    out.megabytes += Buffer.byteLength(text) / 2 ** 20;
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

// ---------------------------------------------------------------- hook requests

interface ServiceDef {
  id: string;
  hook: string;
  prefetch?: Record<string, string>;
}

/** Renders a CDS Hooks 2.0 prefetch template as an EHR does; null when a token has no value (the key is then not sent). */
function render(template: string, context: Record<string, string>): string | null {
  let missing = false;
  const out = template.replace(/\{\{\s*(.+?)\s*\}\}/g, (_m, token: string) => {
    const ctx = /^context\.(\w+)$/.exec(token);
    const user = /^user(Practitioner|PractitionerRole|Patient|RelatedPerson)Id$/.exec(token);
    let v: string | undefined;
    if (ctx) v = context[ctx[1]!];
    else if (token === 'user') v = context.userId;
    else if (user && context.userId?.startsWith(`${user[1]}/`)) v = context.userId.slice(user[1]!.length + 1);
    if (v === undefined) missing = true;
    return v === undefined ? '' : encodeURIComponent(v).replace(/%2F/g, '/');
  });
  return missing ? null : out;
}

/** The prefetch an EHR would send: each template read from our /fhir/R4 (a 404 read is `null`, "there is none"). */
async function buildPrefetch(fhirBase: string, templates: Record<string, string>, context: Record<string, string>): Promise<Record<string, unknown>> {
  const prefetch: Record<string, unknown> = {};
  for (const [key, template] of Object.entries(templates)) {
    const url = render(template, context);
    if (url === null) continue;
    const r = await http<Record<string, unknown>>('GET', `${fhirBase}/${url}`);
    if (r.status === 404) prefetch[key] = null;
    else if (r.status === 200) prefetch[key] = r.json;
    else throw new Error(`prefetch ${key}: GET ${template} → HTTP ${r.status}`);
  }
  return prefetch;
}

/** The request sets; 'prefetch-inline' sends the 'prefetch' requests to the server with the rules on its event loop. */
type BodyMode = 'prefetch' | 'fetch-own' | 'fetch-remote';
type Mode = BodyMode | 'prefetch-inline' | 'prefetch-norules';

interface Bodies {
  byMode: Record<BodyMode, string[]>;
  patients: number;
  userId: string;
  prefetchKeys: string[];
  prefetchKb: number;
}

/** Bodies for every (patient, order) pair, in an order that alternates orders and walks the patients. */
async function buildBodies(base: string, service: ServiceDef, patients: string[]): Promise<Bodies> {
  const fhirBase = `${base}/fhir/R4`;
  const practitioners = await ok<{ entry?: { resource: { id: string } }[] }>('GET', `${fhirBase}/Practitioner?_count=20`);
  const pracIds = (practitioners.entry ?? []).map((e) => e.resource.id);
  const samples = (await ok<{ items: { id: string; resource: Record<string, unknown> }[] }>('GET', `${base}/api/v1/cds/samples`)).items;
  const orders = ORDER_SAMPLES.map((id) => {
    const s = samples.find((x) => x.id === id);
    if (!s) throw new Error(`sample order ${id} missing from /api/v1/cds/samples`);
    return s;
  });
  const today = new Date().toISOString().slice(0, 10);
  // a URL for the same server that the service cannot match with its own base (it compares strings), so it reads through the remote client
  const remoteBase = `http://127.0.0.1:${new URL(base).port}/fhir/./R4`;
  const byMode: Bodies['byMode'] = { prefetch: [], 'fetch-own': [], 'fetch-remote': [] };
  let prefetchBytes = 0;
  const keys = new Set<string>();
  let userId = '';
  for (const [i, patientId] of patients.entries()) {
    userId = pracIds.length ? `Practitioner/${pracIds[i % pracIds.length]!}` : 'Practitioner/bench-practitioner';
    const context = { userId, patientId };
    const prefetch = await buildPrefetch(fhirBase, service.prefetch ?? {}, context);
    Object.keys(prefetch).forEach((k) => keys.add(k));
    prefetchBytes += Buffer.byteLength(JSON.stringify(prefetch));
    for (const [k, o] of orders.entries()) {
      const order = { ...structuredClone(o.resource), id: `bench-${o.id}-${i}`, status: 'draft', subject: { reference: `Patient/${patientId}` }, authoredOn: today };
      const ctx = { ...context, draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: order }] } };
      const req = { hookInstance: '__HOOK_INSTANCE__', hook: service.hook, context: ctx };
      // alternate the order type from one patient to the next, so neighbouring requests differ in both
      const slot = (i % 2 === 0 ? k : 1 - k) + 2 * i;
      byMode.prefetch[slot] = JSON.stringify({ ...req, prefetch });
      byMode['fetch-own'][slot] = JSON.stringify({ ...req, fhirServer: fhirBase });
      byMode['fetch-remote'][slot] = JSON.stringify({ ...req, fhirServer: remoteBase });
    }
  }
  return { byMode, patients: patients.length, userId, prefetchKeys: [...keys], prefetchKb: prefetchBytes / patients.length / 1024 };
}

interface CheckResult {
  status: number;
  cards: number;
  summary: string;
}

/** One call per mode before the clock: each must answer 200 with CRD's coverage-information system action. */
async function check(url: string, body: string): Promise<CheckResult> {
  const r = await http<{ cards?: { summary: string; indicator: string }[]; systemActions?: unknown[] }>('POST', url, body.replace('__HOOK_INSTANCE__', crypto.randomUUID()));
  if (r.status !== 200 || !r.json.systemActions?.length) throw new Error(`order-sign check failed: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 800)}`);
  const c = r.json.cards?.[0];
  return { status: r.status, cards: r.json.cards?.length ?? 0, summary: c ? `${c.indicator}: ${c.summary}` : '(no card; coverage information only)' };
}

// ---------------------------------------------------------------- formatting

const fmt = (x: number | null | undefined, d = 0) =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const MODE_LABEL: Record<Mode, string> = {
  prefetch: '(a) full prefetch',
  'fetch-own': '(b) no prefetch, `fhirServer` = own /fhir/R4',
  'fetch-remote': '(c) no prefetch, `fhirServer` read over HTTP',
  'prefetch-inline': '(a′) full prefetch, rules inline on the event loop',
  'prefetch-norules': '(a″) full prefetch, every order rule library disabled (all but CQL)',
};

/** What the server process reported (bench/cds.server.ts): the rule threads its engine runs and the cores it sees. */
interface ServerInfo {
  ruleThreads: number | null;
  cores: number | null;
}

function serverInfo(dataDir: string): ServerInfo {
  const file = join(dataDir, 'bench-info.json');
  if (!existsSync(file)) return { ruleThreads: null, cores: null };
  return JSON.parse(readFileSync(file, 'utf8')) as ServerInfo;
}

interface Level {
  concurrency: number;
  warmup: number;
  count: number;
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const smoke = options.smoke;
  const log = (m: string) => console.error(`[cds] ${m}`);
  let available: string[] = [];
  try {
    available = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz'));
  } catch {
    /* below */
  }
  if (available.length === 0) {
    const msg = `Skipped: Synthea bundles not found under ${SYNTHEA_DIR}.`;
    return { markdown: msg, summary: { skipped: msg } };
  }
  const nBundles = Math.min(available.length, smoke ? 1 : Number(process.env.SB_BENCH_CDS_BUNDLES ?? 100));
  const levels: Level[] = smoke
    ? [{ concurrency: 2, warmup: 1, count: 4 }]
    : [{ concurrency: 1, warmup: 50, count: 200 }, { concurrency: 50, warmup: 200, count: 1000 }];
  const modes: BodyMode[] = ['prefetch', 'fetch-own', 'fetch-remote'];
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-cds-'));
  const dataDir = join(dir, 'server-data');
  const server = await startBenchServer('cds.server.ts', dataDir, { SB_BENCH_PORT: String(await freePort()) });
  let inlineServer: Awaited<ReturnType<typeof startBenchServer>> | undefined;
  try {
    const base = `http://127.0.0.1:${server.port}`;
    log(`importing ${nBundles} Synthea bundles with coverage`);
    const imp = await importBundles(base, nBundles, smoke);
    const discovery = await ok<{ services: ServiceDef[] }>('GET', `${base}/cds-services`);
    const service = discovery.services.find((s) => s.id === SERVICE_ID);
    if (!service) throw new Error(`discovery has no ${SERVICE_ID} (services: ${discovery.services.map((s) => s.id).join(', ')})`);
    log(`building hook requests for ${imp.patients.length} patients`);
    const t0 = performance.now();
    const bodies = await buildBodies(base, service, imp.patients);
    const buildSeconds = (performance.now() - t0) / 1000;
    const url = `${base}/cds-services/${SERVICE_ID}`;
    const checks: Partial<Record<Mode, CheckResult[]>> = {};
    for (const m of modes) checks[m] = [await check(url, bodies.byMode[m][0]!), await check(url, bodies.byMode[m][1]!)];
    const loadStart = loadavg()[0];
    const phasesFor = (target: string, ms: Mode[], pid: number | undefined) => ms.flatMap((m) => {
      const file = join(dir, `bodies-${m}.json`);
      writeFileSync(file, JSON.stringify(bodies.byMode[m === 'prefetch-inline' || m === 'prefetch-norules' ? 'prefetch' : m]));
      return levels.map((l) => async () => {
        log(`${m}: ${l.concurrency} client(s), ${l.warmup} warm-up + ${l.count} requests`);
        const [cpu0, main0, t0] = [cpuSecondsOf(pid), cpuSecondsOf(pid, pid), performance.now()];
        const load = await nodeJson<LoadResult>('cds.load.ts', [target, file, String(l.concurrency), String(l.warmup), String(l.count)]);
        const [cpu1, main1, wall] = [cpuSecondsOf(pid), cpuSecondsOf(pid, pid), (performance.now() - t0) / 1000];
        if (cpu0 !== null && cpu1 !== null) {
          load.serverCores = (cpu1 - cpu0) / wall;
          load.serverCpuMs = ((cpu1 - cpu0) * 1000) / (l.warmup + l.count);
        }
        if (main0 !== null && main1 !== null) load.eventLoopCores = (main1 - main0) / wall; // the main thread's id is the pid
        return { mode: m, load };
      });
    });
    // smoke: all phases at once (the figures mean nothing there; this only checks every path still runs, quickly)
    const runPhases = async (ps: (() => Promise<{ mode: Mode; load: LoadResult }>)[]) => {
      if (smoke) return Promise.all(ps.map((p) => p()));
      const out: { mode: Mode; load: LoadResult }[] = [];
      for (const p of ps) out.push(await p());
      return out;
    };
    const results: { mode: Mode; load: LoadResult }[] = await runPhases(phasesFor(url, modes, server.child.pid));
    const stopped = await server.stop();
    const pooled = serverInfo(dataDir);
    // The reference: the same data and requests on a server evaluating the rules on its event loop (SAGEBRUSH_CQL_THREADS=0).
    rmSync(join(dataDir, 'bench-info.json'), { force: true });
    inlineServer = await startBenchServer('cds.server.ts', dataDir, { SB_BENCH_PORT: String(await freePort()), SB_BENCH_CQL_THREADS: '0' });
    const inlineUrl = `http://127.0.0.1:${inlineServer.port}/cds-services/${SERVICE_ID}`;
    checks['prefetch-inline'] = [await check(inlineUrl, bodies.byMode.prefetch[0]!), await check(inlineUrl, bodies.byMode.prefetch[1]!)];
    results.push(...(await runPhases(phasesFor(inlineUrl, ['prefetch-inline'], inlineServer.child.pid))));
    // Where the time goes: the same calls with every order library disabled, so the call does everything (HTTP,
    // parsing, prefetch, coverage, cards, audit) but run CQL; what is left when CQL is subtracted.
    const inlineBase = `http://127.0.0.1:${inlineServer.port}`;
    const libraries = (await ok<{ items: { name: string; kind: string; status: string }[] }>('GET', `${inlineBase}/api/v1/rules`)).items;
    for (const lib of libraries.filter((l) => l.kind === 'order' && l.status === 'enabled')) {
      await ok('PATCH', `${inlineBase}/api/v1/rules/${encodeURIComponent(lib.name)}`, JSON.stringify({ status: 'disabled' }));
    }
    checks['prefetch-norules'] = [await check(inlineUrl, bodies.byMode.prefetch[0]!), await check(inlineUrl, bodies.byMode.prefetch[1]!)];
    results.push(...(await runPhases(phasesFor(inlineUrl, ['prefetch-norules'], inlineServer.child.pid))));
    await inlineServer.stop();
    const inline = serverInfo(dataDir);
    const loadEnd = loadavg()[0];
    const threadsOf = (m: Mode) => (m === 'prefetch-inline' || m === 'prefetch-norules' ? inline : pooled).ruleThreads;

    const ok200 = (l: LoadResult) => l.statuses['200'] ?? 0;
    const metRow = (l: LoadResult) => ok200(l) === l.count && l.p95 < TARGET_P95_MS;
    const main = results.filter((r) => r.mode === 'prefetch' || r.mode === 'fetch-own');
    const allMet = main.every((r) => metRow(r.load));
    const md: string[] = [
      '**Method.** The real server (`createAppContext` + `buildApp` + the job thread, as `sagebrush serve` starts them: embedded FHIR store on SQLite in a temp data dir, the shipped CQL rules, the CDS services; until 2026-12-07 without the job thread, so the WAL checkpoints — ~20 ms of fsync every few MB of audit rows — ran on the server\'s event loop, which `serve` leaves to the job thread\'s connection) runs in its own process on 127.0.0.1 (`bench/cds.server.ts`). ' +
        `**Client JWT verification is off** (no CDS clients configured, \`cdsRequireJwt: false\`: local development mode), so the figures exclude ES384/RS384 verification and the \`jti\` replay insert. ` +
        `Import: ${fmt(imp.bundles)} Synthea R4 transaction bundles from \`synthea-r4-smart/\`${smoke ? ' (the smallest)' : ' (by file name)'}, decompressed before the clock, each sent as \`POST /api/v1/fhir/import?withCoverage=${PAYER}&plans=${PLANS.join(',')}\` (the service that also writes a payer Organization and one active Coverage per patient), one after the other. ` +
        `Hook calls: \`POST /cds-services/${SERVICE_ID}\` (the id from \`GET /cds-services\`) from a separate load process (\`bench/cds.load.ts\`, one keep-alive connection per client through a lean HTTP/1.1 client, \`bench/rawHttp.ts\`, since 2026-12-07 — node:http before it cost ~0.4 ms of CPU per call, ~0.15 ms now; until issue 17 Node's fetch, which cost the shared cores ~4× the CPU per request), each client sending its next request when the previous answer arrived; a fresh \`hookInstance\` each; ` +
        `the requests cycle through all ${fmt(bodies.patients)} imported patients × 2 draft orders (amoxicillin 500 mg MedicationRequest, MRI lumbar spine CPT 72148 ServiceRequest), patients spread over the ${PLANS.join(' / ')} plans; a 200 must carry the coverage-information system action. ` +
        `(a) full prefetch: every template of the service's discovery entry that the context fills (${bodies.prefetchKeys.map((k) => `\`${k}\``).join(', ')}; \`encounter\` needs an encounterId the context does not have) read beforehand from the server's own /fhir/R4 as an EHR would, ${fmt(bodies.prefetchKb, 1)} KB per patient on average (${fmt(buildSeconds, 1)} s to build them all); ` +
        '(b) no prefetch, `fhirServer` = this server\'s /fhir/R4: the service recognises its own base URL and reads the embedded store directly (fetch fallback); ' +
        '(c) no prefetch, `fhirServer` = the same server spelled `http://127.0.0.1:PORT/fhir/./R4`, which the service does not recognise as its own, so it reads through its remote FHIR client (HTTP requests (POST _search, GET reads) back into the same process): the cost of an external FHIR server minus the network — for reference, not part of the target; ' +
        '(a′) the requests of (a) against a second server process on the same data with `SAGEBRUSH_CQL_THREADS=0` (the rules run on the event loop, as before issue 17) — the single-threaded reference, not part of the target; ' +
        '(a″) then the same requests against that server with every order rule library disabled (`PATCH /api/v1/rules/:name`): the call does all its other work (HTTP, JSON parsing, validation, prefetch, coverage choice, coverage information, audit) but runs no CQL — where the time goes, not part of the target. ' +
        'Warm-up requests first (not measured), then the measured ones, each from send to the last byte.',
      '',
      `Import: ${fmt(imp.entries)} bundle entries → ${fmt(imp.resources)} resources written (with ${fmt(imp.coverages)} Coverage(s) and the payer Organization), ${fmt(imp.megabytes, 1)} MB of JSON, for ${fmt(imp.patients.length)} patient(s) in ${fmt(imp.seconds, 2)} s wall: **${fmt(imp.resources / imp.seconds)} resources/s** ` +
        `(${fmt(imp.megabytes / imp.seconds, 2)} MB/s; the server's own time inside the import handler ${fmt(imp.serverSeconds, 2)} s = ${fmt(imp.resources / imp.serverSeconds)} resources/s, the rest is HTTP and JSON body parsing).`,
      '',
      `**Cores.** ${fmt(cpus().length)} on the machine, shared by both sides (no pinning; other work was running too, see the load averages below). ` +
        `Server: one process = the event loop (HTTP, prefetch, audit) + the rule threads of the table's "rule threads" column (CQL evaluation, \`SAGEBRUSH_CQL_THREADS\`; default cores − 1 = ${fmt(pooled.ruleThreads)} here; 0 = on the event loop); it saw ${fmt(pooled.cores)} core(s). ` +
        'Load generator: one separate Node process (one event loop, `bench/rawHttp.ts`). The 1-client rows are the unloaded reference (one request in flight: latency without queueing). ' +
        'What each side really used is in the table: "server cores" = the server process\'s CPU seconds (all its threads: event loop, rule threads, GC) ÷ wall seconds over the phase (warm-up included), of which "event loop" = its main thread alone; "load-gen cores" = the load process\'s CPU seconds ÷ wall seconds over the measured requests. Their sum near the machine\'s core count means the run was CPU-bound. "Server CPU ms/request" (server CPU seconds over the phase ÷ its requests, warm-up included) and "load-gen CPU ms/request" are what one call costs each side whatever else the machine runs: compare runs by these when their load averages differ.',
      '',
      '| mode | rule threads | clients | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | non-200 | cards/request | server cores | of which event loop | server CPU ms/request | load-gen cores | load-gen CPU ms/request | p95 < 100 ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
      ...results.map(({ mode, load: l }) =>
        `| ${MODE_LABEL[mode]} | ${fmt(threadsOf(mode))} | ${l.concurrency} | ${fmt(l.count)} (+${fmt(l.warmup)} warm-up) | ${fmt(l.reqPerSec)} | ${fmt(l.p50, 1)} | ${fmt(l.p95, 1)} | ${fmt(l.p99, 1)} | ${fmt(l.max, 1)} | ${l.count - ok200(l)} | ${fmt(l.cardsPerRequest, 2)} | ${fmt(l.serverCores, 2)} | ${fmt(l.eventLoopCores, 2)} | ${fmt(l.serverCpuMs, 2)} | ${fmt(l.cpuSeconds === undefined ? undefined : l.cpuSeconds / l.seconds, 2)} | ${fmt(l.cpuSeconds === undefined ? undefined : (l.cpuSeconds * 1000) / l.count, 2)} | ${mode === 'prefetch' || mode === 'fetch-own' ? (metRow(l) ? 'MET' : 'MISSED') : `(${metRow(l) ? 'met' : 'missed'})`} |`),
      '',
      smoke
        ? 'Smoke run: one patient, a few requests, all modes at once; the figures are meaningless.'
        : `Target: order-sign p95 < ${TARGET_P95_MS} ms with full prefetch and with the fetch fallback, at 1 and 50 clients: **${allMet ? 'MET' : 'MISSED'}**` +
          (allMet ? '' : ` — ${main.filter((r) => !metRow(r.load)).map((r) => `${MODE_LABEL[r.mode]} at ${r.load.concurrency} client(s): p95 ${fmt(r.load.p95, 1)} ms (${fmt(r.load.p95 / TARGET_P95_MS, 1)}× the target)`).join('; ')}`) +
          `. Da Vinci CRD's own requirement (answers within 5 s for 90 % of calls) is met by every row: the worst p99 is ${fmt(Math.max(...results.map((r) => r.load.p99)), 0)} ms. ` +
          `With 50 requests always in flight the mean latency is 50 ÷ throughput (Little's law), so a 50-client p95 under ${TARGET_P95_MS} ms needs well over ${fmt(50 / (TARGET_P95_MS / 1000))} req/s from the server process on these cores.`,
      '',
      `Sample answers (first two requests of each mode): ${modes.map((m) => `${MODE_LABEL[m].split(' ')[0]} ${checks[m]!.map((c) => c.summary).join(' / ')}`).join('; ')}.`,
      '',
      `Notes: no peer — nothing comparable (a CRD server such as the Da Vinci reference implementation, or the AWS sample on HealthLake) runs on this machine, so the target is absolute; ` +
        `client JWT verification off (local development mode), as above; every call is still written to the audit table (\`cds_calls\`, request and response bodies) as in production — since issue 17 behind the answer, batched, within 20 ms (src/domains/cds/README.md, step 7); ` +
        `the requests cycle over the same ${fmt(bodies.patients * 2)} (patient, order) pairs, but nothing is memoised across calls (no decision, wrapped resource or prefetch result is reused by content), so every call is evaluated in full and the repetition gains nothing; ` +
        `the load process and the server share the machine's cores, and the machine is shared with other work: 1-minute load average ${fmt(loadStart, 1)} when the load phases began and ${fmt(loadEnd, 1)} when they ended (${fmt(cpus().length)} cores); ` +
        `server peak RSS ${fmt(stopped.peakRssMb)} MB.`,
    ];
    const summary: Record<string, unknown> = {
      import: { bundles: imp.bundles, patients: imp.patients.length, resources: imp.resources, seconds: +imp.seconds.toFixed(2), resourcesPerSec: Math.round(imp.resources / imp.seconds) },
      orderSign: results.map(({ mode, load: l }) => ({ mode, ruleThreads: threadsOf(mode), clients: l.concurrency, p50: +l.p50.toFixed(1), p95: +l.p95.toFixed(1), p99: +l.p99.toFixed(1), reqPerSec: Math.round(l.reqPerSec), serverCpuMs: l.serverCpuMs === undefined ? null : +l.serverCpuMs.toFixed(2), non200: l.count - ok200(l) })),
      targetP95Met: smoke ? null : allMet,
      loadAverageEnd: +loadEnd.toFixed(1),
    };
    return { markdown: md.join('\n'), summary };
  } finally {
    await server.stop();
    await inlineServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
