/**
 * CQL rule threads (issue 17). (1) Decisions evaluated on the piscina pool (the fast path) equal the reference
 * path's (inline, single-threaded, every define over the whole Bundle) — cards and system actions too — for
 * every Synthea patient of the shared data (skipped with a message when it is absent), on order-sign and
 * order-select with both sample orders, and the pooled calls really ran on the threads. (2) A full evaluation queue
 * answers 429 with Retry-After as an OperationOutcome through the real CDS Hooks routes plugin. The engines are
 * built here (not through createAppContext) so one test can hold an inline and a pooled engine side by side.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Bundle, Condition, Coverage, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { createRuleEngine, type RuleEngineService } from '../cql/engine.ts';
import { coverage as planCoverage, HAS_SYNTHEA, openTestDb, silentLogger, SYNTHEA_DIR } from '../cql/testing.ts';
import { cdsHooksRoutes } from './routes.ts';
import { asDraft, SAMPLE_ORDERS } from './samples.ts';
import { createCdsService, type CdsService } from './service.ts';
import type { HookRequest, HookResponse } from './types.ts';

const HOOKS = [['order-sign-crd', 'order-sign'], ['order-select-crd', 'order-select']] as const;
const ORDERS = ['amoxicillin', 'mri-lumbar'].map((id) => SAMPLE_ORDERS.find((s) => s.id === id)!.resource);
const META = { client: null, baseUrl: 'http://127.0.0.1' };
if (!HAS_SYNTHEA) console.warn(`rulePool.test: Synthea bundles not found under ${SYNTHEA_DIR}; the pooled = inline comparison is skipped.`);

interface Member {
  patient: Patient;
  conditions: Condition[];
  coverage: Coverage;
}

const searchset = (resources: Resource[]): Bundle => ({ resourceType: 'Bundle', type: 'searchset', total: resources.length, entry: resources.map((resource) => ({ resource })) });

/** A Synthea patient as an EHR prefetches it for CRD: the Patient, all its Conditions and one active Coverage. */
function member(file: string, i: number): Member {
  const bundle = JSON.parse(gunzipSync(readFileSync(join(SYNTHEA_DIR, file))).toString('utf8')) as Bundle;
  const resources = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r);
  const patient = resources.find((r): r is Patient => r.resourceType === 'Patient')!;
  const plan = i % 2 === 0 ? ['acme-gold', 'Acme Gold'] : ['acme-standard', 'Acme Standard'];
  const coverage = { ...planCoverage(plan[0]!, plan[1]!), id: `cov-${i}`, beneficiary: { reference: `Patient/${patient.id}` } } as Coverage;
  return { patient, conditions: resources.filter((r): r is Condition => r.resourceType === 'Condition'), coverage };
}

function request(hook: string, m: Member, order: Resource): HookRequest {
  const draft = asDraft(order, m.patient.id!);
  const context: HookRequest['context'] = { userId: 'Practitioner/rule-pool-test', patientId: m.patient.id!, draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] } };
  if (hook === 'order-select') context.selections = [`${draft.resourceType}/${draft.id}`];
  return { hook, hookInstance: randomUUID(), context, prefetch: { patient: m.patient, coverage: searchset([m.coverage]), conditions: searchset(m.conditions) } };
}

/** The response without what differs on every call by design (card and suggestion uuids, assertion ids). */
function comparable(body: HookResponse): unknown {
  return JSON.parse(JSON.stringify(body), (key, value: unknown) => (key === 'uuid' ? '(uuid)' : value && typeof value === 'object' && (value as { url?: string }).url === 'coverage-assertion-id' ? { url: 'coverage-assertion-id' } : value));
}

describe('CQL rule threads', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let dataDir: string;
  const engines: RuleEngineService[] = [];
  const apps: FastifyInstance[] = [];

  function cdsWith(engine: RuleEngineService): CdsService {
    engines.push(engine);
    return createCdsService({ db: db.db, logger: silentLogger, config: loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent' } }), fhir: () => undefined, rules: () => engine });
  }

  beforeAll(async () => {
    db = await openTestDb();
    dataDir = mkdtempSync(join(tmpdir(), 'sb-rule-pool-'));
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(engines.map((e) => e.close()));
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!HAS_SYNTHEA)('pooled decisions equal inline decisions for every Synthea patient on order-sign and order-select', async () => {
    // The reference: every define of every library over the whole Bundle on this thread (issue 17's fast path —
    // only the defines a decision reads, only the retrieved types, on the rule threads — must answer the same).
    const inline = createRuleEngine({ db: db.db, logger: silentLogger, evaluation: 'reference' });
    await inline.list(); // seed the built-ins once, before the second engine reads them
    const pooled = createRuleEngine({ db: db.db, logger: silentLogger, threads: 2 });
    const [single, threaded] = [cdsWith(inline), cdsWith(pooled)];
    const files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json.gz')).sort();
    expect(files.length).toBeGreaterThan(0);
    let calls = 0;
    const seen = new Set<string>();
    for (const [i, file] of files.entries()) {
      const m = member(file, i);
      for (const [serviceId, hook] of HOOKS) {
        for (const order of ORDERS) {
          const req = request(hook, m, order);
          // Both at once, so the pool sees concurrent work while the inline engine runs on this thread.
          const [a, b] = await Promise.all([single.call(serviceId, req, META), threaded.call(serviceId, structuredClone(req), META)]);
          expect(b.decisions, `${file} ${hook} ${order.resourceType}`).toEqual(a.decisions);
          expect(comparable(b.body)).toEqual(comparable(a.body));
          for (const d of Object.values(a.decisions)) {
            expect(d.reasons.map((r) => r.code)).not.toContain('technical');
            seen.add(`${d.covered}/${d.paNeeded ?? ''}`);
          }
          calls += 1;
        }
      }
    }
    expect(pooled.threads).toBe(2);
    expect(inline.threadTasks()).toBe(0);
    expect(pooled.threadTasks()).toBe(calls); // one task per order: every pooled decision came from a thread
    expect(seen.size).toBeGreaterThan(1); // the patients exercise more than one outcome
  }, 600_000);

  it('answers 429 with Retry-After (OperationOutcome "throttled") when the evaluation queue is full', async () => {
    const engine = createRuleEngine({ db: db.db, logger: silentLogger, threads: 1, maxQueue: 1 });
    const app = Fastify();
    apps.push(app);
    await app.register(cdsHooksRoutes, { cds: cdsWith(engine), corsOrigins: [], apiTokens: [], hasValidApiToken: () => false });
    const m: Member = {
      patient: { resourceType: 'Patient', id: 'busy-1' },
      conditions: [{ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/busy-1' }, code: { coding: [{ system: 'http://snomed.info/sct', code: '40055000' }] } }],
      coverage: { ...planCoverage('acme-gold', 'Acme Gold'), id: 'cov-busy', beneficiary: { reference: 'Patient/busy-1' } } as Coverage,
    };
    const send = () => app.inject({ method: 'POST', url: '/cds-services/order-sign-crd', payload: request('order-sign', m, ORDERS[0]!) as object });
    expect((await send()).statusCode).toBe(200); // warm: the thread has started and holds the catalog
    const answers = await Promise.all(Array.from({ length: 40 }, send));
    const busy = answers.filter((r) => r.statusCode === 429);
    expect(answers.filter((r) => r.statusCode === 200).length).toBeGreaterThan(0);
    expect(busy.length).toBeGreaterThan(0);
    expect(answers.every((r) => r.statusCode === 200 || r.statusCode === 429)).toBe(true);
    const first = busy[0]!;
    expect(Number(first.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const outcome = first.json<{ resourceType: string; issue: { code: string; details: { coding: { code: string }[] }; diagnostics: string }[] }>();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]!.code).toBe('throttled');
    expect(outcome.issue[0]!.details.coding[0]!.code).toBe('RATE_LIMITED');
    expect(outcome.issue[0]!.diagnostics).toMatch(/rule engine is busy.*Retry after \d+ s/);
  }, 120_000);
});
