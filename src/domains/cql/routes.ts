import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Bundle, Coverage, Resource } from '@medplum/fhirtypes';
import type { RuleService } from './types.ts';

const tags = { tags: ['rules'] };
const resource = z.looseObject({ resourceType: z.string().min(1) });
const nameParams = z.object({ name: z.string().min(1).max(200) });

const uploadBody = z.object({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  cql: z.string().max(2_000_000).optional(),
  elm: z.unknown().optional(),
});
const compileBody = z.object({ cql: z.string().max(2_000_000) });
const statusBody = z.object({ status: z.enum(['enabled', 'disabled']) });
const testBody = z.object({
  patientId: z.string().min(1).optional(),
  patientBundle: resource.optional(),
  order: resource,
  coverage: resource.nullable().optional(),
});

/** What the rule routes use. */
export interface RuleRouteDeps {
  rules: RuleService;
}

/** /api/v1/rules: the CQL payer rule catalog (list, upload, compile, show, enable/disable, delete, test) and the policy table. */
export async function ruleRoutes(app: FastifyInstance, deps: RuleRouteDeps): Promise<void> {
  await app.register(async (scope) => {
    // The policy table may be PUT as CSV text; the parser is scoped to these routes.
    scope.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();
    const { rules } = deps;

    r.get('/rules', { schema: { ...tags, summary: 'List rule libraries (built-in and uploaded) with kind and status' } }, async () => ({ items: await rules.list() }));

    r.post('/rules', {
      schema: { ...tags, summary: 'Upload a CQL (compiled on the server; translator errors → 400 with line:column) or ELM library; new libraries start disabled', body: uploadBody },
    }, async (req, reply) => reply.status(201).send(await rules.add(req.body)));

    r.post('/rules/compile', {
      schema: { ...tags, summary: 'Translate CQL to ELM without storing it: ok, problems (line, column, message), expressions with types', body: compileBody },
    }, async (req) => {
      const result = await rules.compile(req.body.cql);
      return { ok: result.ok, name: result.name, version: result.version, problems: result.problems, expressions: result.expressions };
    });

    r.get('/rules/policy', { schema: { ...tags, summary: 'The table-driven policy: rows of plan, system, code, display, requirement (pa|doc|none|not-covered), docNeeded, note' } }, async () => rules.getPolicy());

    r.put('/rules/policy', {
      schema: { ...tags, summary: 'Replace the policy table: JSON rows ([...] or {rows: [...]}) or CSV text (Content-Type text/csv, header row); invalid rows → 400 naming row and field', consumes: ['application/json', 'text/csv'] },
    }, async (req) => rules.putPolicy(req.body));

    r.get('/rules/:name', { schema: { ...tags, summary: 'One library: CQL source, expressions with their types, includes', params: nameParams } }, async (req) => rules.get(req.params.name));

    r.patch('/rules/:name', { schema: { ...tags, summary: 'Enable or disable a library', params: nameParams, body: statusBody } }, async (req) => rules.setStatus(req.params.name, req.body.status));

    r.delete('/rules/:name', { schema: { ...tags, summary: 'Delete an uploaded library (built-ins can only be disabled)', params: nameParams } }, async (req, reply) => {
      await rules.remove(req.params.name);
      return reply.status(204).send();
    });

    r.post('/rules/:name/test', {
      schema: { ...tags, summary: 'Run one library (enabled or not) on a patient (stored id or inline Bundle) and an order: every expression result plus the coverage decision', params: nameParams, body: testBody },
    }, async (req) =>
      rules.test(req.params.name, {
        ...(req.body.patientId ? { patientId: req.body.patientId } : {}),
        ...(req.body.patientBundle ? { patientBundle: req.body.patientBundle as unknown as Bundle } : {}),
        order: req.body.order as unknown as Resource,
        ...(req.body.coverage !== undefined ? { coverage: req.body.coverage as unknown as Coverage | null } : {}),
      }),
    );
  });
}
