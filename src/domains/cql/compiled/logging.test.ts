/**
 * A library the compiled evaluator does not cover is logged once per library version (library, version, reason),
 * whether the rules run inline or on a rule thread; the built-ins, which are compiled, are not logged.
 */
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../storage/schema.ts';
import { createRuleEngine } from '../engine.ts';
import { coverage, openTestDb, patientWith, serviceOrder } from '../testing.ts';

let db: Kysely<Database>;
let close: () => Promise<void>;
beforeAll(async () => ({ db, close } = await openTestDb()), 60_000);
afterAll(async () => close());

const CQL = `library CountsConditions version '1.0.0'
using FHIR version '4.0.1'
include FHIRHelpers version '4.0.1' called FHIRHelpers
include CoverageCommon version '1.0.0' called Common
parameter "Order" FHIR.Resource
context Patient
define "Decision": if Count([Condition]) > 0 then Common."Decision"('covered', 'no-auth', null, null, null, 'has conditions', 'Has conditions') else null
`;

describe('libraries run on cql-execution are logged', () => {
  for (const threads of [0, 1]) {
    it(`once per library version, with the reason (${threads ? 'rule thread' : 'inline'})`, async () => {
      const lines: Record<string, unknown>[] = [];
      const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
      const engine = createRuleEngine({ db, logger, threads });
      try {
        await engine.list();
        if (!(await engine.list()).some((l) => l.name === 'CountsConditions')) await engine.add({ cql: CQL });
        await engine.setStatus('CountsConditions', 'enabled');
        const input = { hook: 'order-sign' as const, patientBundle: patientWith([{ system: 'http://snomed.info/sct', code: '1' }]), order: serviceOrder(), coverage: coverage('acme-gold', 'Acme Gold') };
        for (let i = 0; i < 3; i++) expect((await engine.evaluateOrder(structuredClone(input))).rules.map((r) => r.library)).toContain('CountsConditions');
        const logged = lines.filter((l) => String(l.msg).includes('compiled evaluator does not cover'));
        expect(logged).toHaveLength(1);
        expect(logged[0]).toMatchObject({ library: 'CountsConditions', version: '1.0.0', reason: expect.stringMatching(/Greater|Count/) });
      } finally {
        await engine.setStatus('CountsConditions', 'disabled');
        await engine.close();
      }
    }, 120_000);
  }
});
