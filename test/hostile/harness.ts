/**
 * The hostile suite's environment: the real app in-process with API tokens set, listening on 127.0.0.1 (for
 * cases that need raw HTTP: exact request targets, oversize headers), a second app with a registered CDS client
 * (for JWT cases), control datasets whose sha256 and row counts must survive the whole corpus, and the final
 * checks (live server, controls unchanged, SQLite integrity, no temp files, no unfinished versions).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createAppContext, type AppContext } from '../../src/app/context.ts';
import { loadConfig, type ConfigInput } from '../../src/core/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { multipart } from '../../src/domains/datasets/testing/harness.ts';
import { multiClassCsv } from '../../src/domains/text/testing/synthetic.ts';
import { controlImageZip } from './generators.ts';
import { rawHttp, type HeaderList } from './raw-http.ts';
import { installNetGuard, startCanary, type Canary, type NetGuard } from './net-guard.ts';

export const TOKEN = 'hostile-suite-token-0123456789';
export const CDS_ISS = 'https://ehr.hostile.test';
export const CANARY_SECRET = 'CANARY-SECRET-BODY-7f3a';
export const PATIENT = 'pat-ctl';
/** Small limits so the size cases stay fast. */
export const MAX_UPLOAD = 2 * 1024 * 1024;
export const MAX_ARCHIVE = 4 * 1024 * 1024;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Raw HTTP only: why the response framing is wrong (e.g. Content-Length differs from the bytes sent). */
  framing?: string;
}

export interface Served {
  app: FastifyInstance;
  ctx: AppContext;
  dir: string;
  base: string;
}

export interface Control {
  name: string;
  id: string;
  sha256: string;
  rows: number;
  versions: number;
}

export interface Env {
  main: Served;
  cds: Served;
  guard: NetGuard;
  /** A loopback server no case may reach. */
  canary: Canary;
  /** A loopback server allow-listed as a development FHIR server (SAGEBRUSH_CDS_FHIR_ALLOW). */
  allowed: Canary;
  controls: Control[];
  /** Name of a text-classifier endpoint (tiny model) for the classify limits. */
  endpoint: string;
  auth: Record<string, string>;
  inject(opts: InjectOptions, on?: Served): Promise<Reply>;
  /** Raw HTTP/1.1 on 127.0.0.1: the request target and headers are sent exactly as given. */
  raw(method: string, target: string, headers?: HeaderList, body?: Buffer | string, on?: Served): Promise<Reply>;
  upload(fileName: string, content: Buffer | string, fields?: Record<string, string>, query?: string): Promise<Reply>;
  jwt(o?: { iss?: string; aud?: string; exp?: number; iat?: number; alg?: string; kid?: string; jti?: string; signWith?: 'other' }): Promise<string>;
}

async function serve(overrides: ConfigInput): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-hostile-'));
  const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent', ...overrides } }));
  await ctx.queue.startWorker();
  const app = await buildApp(ctx, { webDist: join(dir, 'no-web-ui') });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, ctx, dir, base };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export const rawRequest = (base: string, method: string, target: string, headers: HeaderList = {}, body?: Buffer | string): Promise<Reply> => rawHttp(base, method, target, headers, body);

export async function createEnv(): Promise<Env> {
  const guard = installNetGuard();
  const canary = await startCanary(CANARY_SECRET);
  const allowed = await startCanary(CANARY_SECRET);
  const es = await generateKeyPair('ES384', { extractable: true });
  const other = await generateKeyPair('ES384', { extractable: true });
  const pub: JWK = { ...(await exportJWK(es.publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' };
  const main = await serve({ apiTokens: [TOKEN], maxUploadBytes: MAX_UPLOAD, maxArchiveBytes: MAX_ARCHIVE, cdsEmbeddedFhir: true, cdsFhirServerAllow: [`http://127.0.0.1:${allowed.port}`] });
  const cds = await serve({ apiTokens: [TOKEN], cdsClients: [{ iss: CDS_ISS, jwks: { keys: [pub] }, algorithms: ['ES384'] }], cdsEmbeddedFhir: true });
  const auth = { authorization: `Bearer ${TOKEN}` };

  const inject = async (opts: InjectOptions, on: Served = main): Promise<Reply> => {
    const res = await on.app.inject(opts);
    return { status: res.statusCode, headers: res.headers as Reply['headers'], body: res.body };
  };
  const upload = async (fileName: string, content: Buffer | string, fields: Record<string, string> = {}, query = '?wait=true'): Promise<Reply> => {
    const form = await multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', fileName, content }]);
    return inject({ method: 'POST', url: `/api/v1/datasets${query}`, payload: form.payload, headers: { ...auth, ...form.headers } });
  };
  const keys: Record<string, CryptoKey> = { k1: es.privateKey, other: other.privateKey };
  const jwt: Env['jwt'] = async (o = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: o.jti ?? randomUUID() })
      .setProtectedHeader({ alg: o.alg ?? 'ES384', typ: 'JWT', kid: o.kid ?? 'k1' })
      .setIssuer(o.iss ?? CDS_ISS)
      .setAudience(o.aud ?? `${cds.base}/cds-services/order-sign-crd`)
      .setIssuedAt(o.iat ?? now)
      .setExpirationTime(o.exp ?? now + 300)
      .sign(keys[o.signWith ?? 'k1']!);
  };

  // Control data: what every case must leave exactly as it was.
  const controlFiles: Array<[string, Buffer | string, Record<string, string>]> = [
    ['ctl-tickets.csv', multiClassCsv(60), { name: 'ctl-tickets', header: 'false' }],
    ['ctl-notes.jsonl', Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `note ${i} ünïcødé ✓`, label: i % 2 ? 'a' : 'b' })).join('\n') + '\n', { name: 'ctl-notes' }],
    ['ctl-images.zip', await controlImageZip(), { name: 'ctl-images' }],
  ];
  const controls: Control[] = [];
  for (const [file, content, fields] of controlFiles) {
    const res = await upload(file, content, fields);
    if (res.status !== 201) throw new Error(`control upload ${file} failed: ${res.status} ${res.body}`);
    const { dataset, version: v } = JSON.parse(res.body) as { dataset: { id: string }; version: { sha256: string; rowCount: number } };
    if (v.sha256 !== sha256(content)) throw new Error(`control ${file}: stored sha256 differs from the bytes sent`);
    controls.push({ name: fields.name!, id: dataset.id, sha256: v.sha256, rows: v.rowCount, versions: 1 });
  }
  // A tiny text classifier behind an endpoint, for the classify limits and the artifact-name cases.
  const train = await inject({ method: 'POST', url: '/api/v1/text/classifiers', headers: auth, payload: { name: 'ctl-model', dataset: 'ctl-tickets', mode: 'multi-class' } });
  const job = await main.ctx.queue.wait(JSON.parse(train.body).job.id, { timeoutMs: 90_000 });
  if (job.status !== 'succeeded') throw new Error(`control model training ${job.status}: ${JSON.stringify(job.error)}`);
  const ep = await inject({ method: 'POST', url: '/api/v1/endpoints', headers: auth, payload: { name: 'ctl-ep', model: 'ctl-model:1' } });
  if (ep.status !== 201) throw new Error(`control endpoint: ${ep.status} ${ep.body}`);
  const endpoint = 'ctl-ep';
  for (const s of [main, cds]) {
    await s.ctx.services.fhir.importBundle({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: PATIENT, gender: 'female', birthDate: '1970-01-01', name: [{ family: 'Control', given: ['Pat'] }] } }] }, { withCoverage: 'Acme Health', plans: ['acme-standard'] });
  }
  return { main, cds, guard, canary, allowed, controls, endpoint, auth, inject, raw: (m, t, h, b, on = main) => rawRequest(on.base, m, t, h, b), upload, jwt };
}

/** Every file under `dir` whose name marks an unfinished write. */
export function tempFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.sb-tmp-|\.tmp$|\.part$/.test(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** Problems with the stored state after the corpus; [] when all is well. */
export async function finalProblems(env: Env): Promise<string[]> {
  const problems: string[] = [];
  for (const s of [env.main, env.cds]) {
    const health = await rawRequest(s.base, 'GET', '/healthz');
    if (health.status !== 200) problems.push(`${s.base}/healthz answered ${health.status}`);
    const rows = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(s.ctx.db);
    const verdict = rows.rows.map((r) => Object.values(r)[0]).join(',');
    if (verdict !== 'ok') problems.push(`PRAGMA integrity_check on ${s.dir}: ${verdict}`);
    // Imports still running would leave temp files for a moment: wait for the queue to settle first.
    for (let i = 0; i < 50; i++) {
      const busy = await s.ctx.db.selectFrom('dataset_versions').select('id').where('status', '!=', 'ready').execute();
      if (busy.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const unfinished = await s.ctx.db.selectFrom('dataset_versions').select(['id', 'status']).where('status', '!=', 'ready').execute();
    if (unfinished.length) problems.push(`dataset versions left unfinished: ${unfinished.map((u) => `${u.id}=${u.status}`).join(', ')}`);
    const temps = tempFiles(s.dir);
    if (temps.length) problems.push(`temp files left: ${temps.join(', ')}`);
  }
  for (const c of env.controls) {
    const res = await env.inject({ method: 'GET', url: `/api/v1/datasets/${c.name}`, headers: env.auth });
    if (res.status !== 200) {
      problems.push(`control ${c.name}: GET answered ${res.status}`);
      continue;
    }
    const d = JSON.parse(res.body) as { versions: Array<{ sha256: string; rowCount: number }> };
    if (d.versions.length !== c.versions) problems.push(`control ${c.name}: ${d.versions.length} versions, expected ${c.versions}`);
    const v = d.versions[0]!;
    if (v.sha256 !== c.sha256 || v.rowCount !== c.rows) problems.push(`control ${c.name}: sha256/rows ${v.sha256}/${v.rowCount}, expected ${c.sha256}/${c.rows}`);
    const file = await env.main.app.inject({ method: 'GET', url: `/api/v1/datasets/${c.name}/versions/1/file`, headers: env.auth });
    if (sha256(file.rawPayload) !== c.sha256) problems.push(`control ${c.name}: the stored file's sha256 changed`);
  }
  if (env.guard.blocked.length) problems.push(`connections attempted outside loopback (refused by the guard): ${env.guard.blocked.join(', ')}`);
  if (env.canary.connections > 0) problems.push(`the loopback canary got ${env.canary.connections} connections: ${env.canary.requests.join(', ')}`);
  return problems;
}

export async function closeEnv(env: Env | undefined): Promise<void> {
  if (!env) return;
  for (const s of [env.main, env.cds]) {
    await s.app.close();
    await s.ctx.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
  await env.canary.close();
  await env.allowed.close();
  env.guard.uninstall();
}
