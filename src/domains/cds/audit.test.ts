/**
 * The hook-call audit log is written behind the answer (issue 17): calls answered together are written as one
 * multi-row INSERT instead of one statement each, the log reads every answered call back (reads flush the queue
 * first), and a failed write no longer turns an answered call into an error: it is logged, with call ids only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Coverage } from '@medplum/fhirtypes';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { coverage as planCoverage, openTestDb, silentLogger } from '../cql/testing.ts';
import { asDraft, SAMPLE_ORDERS } from './samples.ts';
import { createCdsService } from './service.ts';
import type { HookRequest } from './types.ts';

const META = { client: null, baseUrl: 'http://127.0.0.1' };

/** Counts INSERTs into cds_calls; throws on them while `fail` is set. */
class AuditInserts implements KyselyPlugin {
  count = 0;
  fail = false;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'cds_calls') {
      if (this.fail) throw new Error('disk full (test)');
      this.count += 1;
    }
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

function request(i: number): HookRequest {
  const patientId = `audit-${i}`;
  const draft = asDraft(SAMPLE_ORDERS[0]!.resource, patientId);
  const coverage = { ...planCoverage('acme-gold', 'Acme Gold'), id: `cov-${i}`, beneficiary: { reference: `Patient/${patientId}` } } as Coverage;
  return {
    hook: 'order-sign',
    hookInstance: `hook-instance-${i}`,
    context: { userId: 'Practitioner/audit-test', patientId, draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] } },
    prefetch: { patient: { resourceType: 'Patient', id: patientId }, coverage: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: coverage }] } },
  };
}

describe('CDS audit log', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let dataDir: string;
  beforeAll(async () => {
    db = await openTestDb();
    dataDir = mkdtempSync(join(tmpdir(), 'sb-cds-audit-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function service(plugin: AuditInserts, logger = silentLogger) {
    // No rule engine: every order gets CRD's fixed "technical" outcome, which is all the audit needs.
    return createCdsService({ db: db.db.withPlugin(plugin), logger, config: loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent' } }), fhir: () => undefined, rules: () => undefined });
  }

  it('writes the calls answered together in one INSERT, and reads every answered call back', async () => {
    const inserts = new AuditInserts();
    const cds = service(inserts);
    const outs = await Promise.all(Array.from({ length: 20 }, (_, i) => cds.call('order-sign-crd', request(i), META)));
    expect(outs.every((o) => o.status === 200)).toBe(true);
    const listed = await cds.audit.list({ limit: 500 });
    expect(new Set(listed.items.map((c) => c.id))).toEqual(new Set(outs.map((o) => o.callId)));
    expect(inserts.count).toBeGreaterThanOrEqual(1);
    expect(inserts.count).toBeLessThanOrEqual(4); // one statement per call before issue 17: 20
    const one = await cds.audit.get(outs[7]!.callId);
    expect(one).toMatchObject({ hookInstance: 'hook-instance-7', patientId: 'audit-7', status: 200, systemActions: 1 });
    expect((one.request as HookRequest).context.patientId).toBe('audit-7');
    await cds.close();
  });

  it('answers even when the audit write fails, and logs the lost call ids (no bodies)', async () => {
    const inserts = new AuditInserts();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const cds = service(inserts, logger);
    inserts.fail = true;
    const out = await cds.call('order-sign-crd', request(100), META);
    expect(out.status).toBe(200);
    await cds.close();
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; cdsCalls?: string[] }).find((l) => l.msg === 'CDS audit rows could not be written');
    expect(logged?.cdsCalls).toEqual([out.callId]);
    expect(lines.join('\n')).not.toContain('audit-100'); // no patient id or body in the process log
  });
});
