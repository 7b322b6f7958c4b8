/**
 * The payer rule engine: runs every enabled order library for a draft order and merges their "Decision" tuples
 * into one CRD coverage decision (most restrictive wins), runs patient libraries' "Findings" for patient-view, and
 * exposes the catalog (CRUD, compile, test, policy table). Missing coverage follows CRD's fixed outcome. Order
 * libraries whose declared scope (applicability.ts) rules the order out are not run; `test` always runs its library.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Bundle, Coverage, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import type { FhirDataSource } from '../fhir/source.ts';
import { createLibraryRegistry } from './catalog.ts';
import { applies, appliesToOf } from './applicability.ts';
import { billingCodes, decisionFromTuple, findings, fixedOutcome, mergeDecisions, noCoverageDecision, technicalDecision, type LibraryDecision } from './decisions.ts';
import { compiledStatus, type SourceLibrary } from './compiled/index.ts';
import { compiledServices, runLibrary, toJsonSafe, valueSetCodes, valueSetCodings, wrapResource } from './execute.ts';
import { defaultPolicyRows, policyParameter, validatePolicy } from './policy.ts';
import { expressionsFor, notCompiledOnce, policyParameterOf, runFindings, runOrder, type FindingsOutcome, type NotCompiled, type OrderOutcome, type RunMode } from './run.ts';
import { retrievable, retrievalPlan, type RetrievalPlan } from './retrieves.ts';
import { readPolicy, writePolicy, type StoredLibrary } from './store.ts';
import { createRulePool, DEFAULT_QUEUE_PER_THREAD, defaultRuleThreads } from './threads.ts';
import type { PolicyRow, RuleService, RuleTestInput } from './types.ts';
import type { CatalogPayload, PolicyPayload } from './worker.ts';

export interface RuleEngineDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Reads a stored patient's Bundle for `test({patientId})`; optional (tests without a FHIR store pass a Bundle). */
  fhir?: FhirDataSource | (() => FhirDataSource | undefined);
  /** Rule worker threads (SAGEBRUSH_CQL_THREADS); 0 evaluates inline on the main thread. Default: cores − 1. */
  threads?: number;
  /** Evaluations that may wait for a thread before RATE_LIMITED (SAGEBRUSH_CQL_QUEUE). Default: 128 per thread. */
  maxQueue?: number;
  /**
   * `fast` (default): only the defines a decision reads, over the Patient and the resource types the libraries
   * retrieve (retrieves.ts). `reference`: every define of every library over the whole Bundle, on this thread
   * (threads forced to 0) — the plain cql-execution path the tests compare the fast one with.
   */
  evaluation?: RunMode;
}

/** The engine plus its rule threads: how many, how many evaluations they answered, and `close()` to end them. */
export type RuleEngineService = RuleService & { readonly threads: number; threadTasks(): number; close(): Promise<void> };

export { decisionFromTuple, fixedOutcome, mergeDecisions, noCoverageDecision, orderLabel, planLabel, restrictiveness, technicalDecision, truncate } from './decisions.ts';

/** The first active Coverage in a Bundle (what `test` uses when no coverage is given). */
export function coverageFromBundle(bundle: Bundle): Coverage | null {
  const all = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Coverage => r?.resourceType === 'Coverage');
  return all.find((c) => c.status === 'active') ?? null;
}

export function createRuleEngine(deps: RuleEngineDeps): RuleEngineService {
  const registry = createLibraryRegistry(deps);
  let policyCache: PolicyRow[] | null = null;
  const mode: RunMode = deps.evaluation ?? 'fast';
  const threads = mode === 'reference' ? 0 : (deps.threads ?? defaultRuleThreads());
  const pool = threads > 0 ? createRulePool({ threads, maxQueue: deps.maxQueue ?? threads * DEFAULT_QUEUE_PER_THREAD, onError: (err) => deps.logger.warn({ err }, 'rule thread pool error (outside any evaluation)') }) : null;
  let catalogMemo: { libs: StoredLibrary[]; payload: CatalogPayload } | null = null;

  /**
   * The catalog version and its ELM; recomputed when the catalog reloads. The key is a digest of every library's
   * name, version and source hash (every task names it: ~400 characters as plain text for the built-ins).
   */
  function catalog(): CatalogPayload {
    const libs = registry.all();
    if (catalogMemo && catalogMemo.libs.length === libs.length && catalogMemo.libs.every((l, i) => l === libs[i])) return catalogMemo.payload;
    const version = libs.map((l) => `${l.name}@${l.version}#${l.sourceHash}`).sort().join(',');
    const key = createHash('sha256').update(version).digest('base64url').slice(0, 22);
    catalogMemo = { libs, payload: { key, elm: Object.fromEntries(libs.map((l) => [l.name, l.elm])) } };
    return catalogMemo.payload;
  }

  /**
   * The policy table as the CQL "Policy" parameter, built once per version (each `putPolicy` is a new version);
   * a rule thread gets it once per version too, not with every task.
   */
  let policyMemo: { rows: PolicyRow[]; payload: PolicyPayload } | null = null;
  let policyVersions = 0;
  async function policyParam(): Promise<PolicyPayload> {
    const rows = await policyRows();
    if (policyMemo?.rows !== rows) policyMemo = { rows, payload: { key: `p${++policyVersions}`, rows: policyParameterOf(rows) } };
    return policyMemo.payload;
  }

  /** What each set of libraries can retrieve (types, value-set code cuts), per catalog version (null: the whole Bundle). */
  const planMemo = new Map<string, RetrievalPlan | null>();
  function dataFor(bundle: Bundle, libs: StoredLibrary[]): Bundle {
    if (mode === 'reference') return bundle;
    const { key, elm } = catalog();
    const memoKey = `${key}|${libs.map((l) => l.name).join(',')}`;
    if (!planMemo.has(memoKey)) {
      if (planMemo.size > 64) planMemo.clear();
      planMemo.set(memoKey, retrievalPlan(libs.map((l) => l.name), elm, valueSetCodings));
    }
    return retrievable(bundle, planMemo.get(memoKey) ?? null);
  }

  /**
   * Log, once per library version, each library the fast path runs on cql-execution because the compiled evaluator
   * does not cover it (inline: checked here once per library version; pooled: the rule thread reports it once).
   */
  const statusSeen = new Set<string>();
  function logNotCompiled(list: NotCompiled[] | undefined): void {
    for (const n of list ?? []) {
      const key = `${n.library}@${n.version}|${n.reason}`;
      if (statusSeen.has(key)) continue;
      statusSeen.add(key);
      deps.logger.info({ library: n.library, version: n.version, reason: n.reason }, 'rule library runs on cql-execution: the compiled evaluator does not cover it');
    }
  }
  const inlineChecked = new Set<string>();
  function checkInline(kind: 'order' | 'findings', libs: StoredLibrary[]): void {
    if (mode !== 'fast') return;
    logNotCompiled(notCompiledOnce(registry.runnable, kind, libs, inlineChecked, (l) => `${kind}:${l.name}@${l.version}#${l.sourceHash}`));
  }

  /** Inline (threads = 0) or on a rule thread: the same run.ts functions either way. */
  async function orderOutcomes(bundle: Bundle, order: Resource, coverage: Coverage | null, libs: StoredLibrary[]): Promise<OrderOutcome[]> {
    const policy = await policyParam();
    const run = { bundle: dataFor(bundle, libs), order, coverage, libraries: libs.map((l) => ({ name: l.name, version: l.version })) };
    if (!pool) {
      const outcomes = await runOrder(registry.runnable, { ...run, policy: policy.rows }, mode);
      checkInline('order', libs);
      return outcomes;
    }
    // the task carries this call's data and the versions' keys; the catalog and policy go only to a thread that lacks them
    const shared = { catalog: catalog(), policy };
    const reply = await pool.run<{ outcomes: OrderOutcome[]; notCompiled?: NotCompiled[] }>({ kind: 'order', catalogKey: shared.catalog.key, policyKey: policy.key, ...run }, shared);
    logNotCompiled(reply.notCompiled);
    return reply.outcomes;
  }

  async function findingsOutcomes(bundle: Bundle, libs: StoredLibrary[]): Promise<FindingsOutcome[]> {
    const libraries = libs.map((l) => ({ name: l.name, version: l.version }));
    const data = dataFor(bundle, libs);
    if (!pool) {
      const outcomes = await runFindings(registry.runnable, data, libraries, mode);
      checkInline('findings', libs);
      return outcomes;
    }
    const shared = { catalog: catalog() };
    const reply = await pool.run<{ findings: FindingsOutcome[]; notCompiled?: NotCompiled[] }>({ kind: 'findings', catalogKey: shared.catalog.key, bundle: data, libraries }, shared);
    logNotCompiled(reply.notCompiled);
    return reply.findings;
  }

  async function policyRows(): Promise<PolicyRow[]> {
    if (policyCache) return policyCache;
    policyCache = (await readPolicy(deps.db))?.rows ?? defaultPolicyRows();
    return policyCache;
  }

  async function parametersFor(order: Resource, coverage: Coverage | null): Promise<Record<string, unknown>> {
    return { Order: wrapResource(order), Coverage: coverage ? wrapResource(coverage) : null, Policy: policyParameter(await policyRows()) };
  }

  async function run(lib: StoredLibrary, bundle: Bundle, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return await runLibrary(registry.runnable(lib.name), bundle, params);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('CQL_EXECUTION_FAILED', `Library ${lib.name} failed on this patient: ${(err as Error).message}`, { cause: err });
    }
  }

  async function decide(lib: StoredLibrary, bundle: Bundle, order: Resource, coverage: Coverage | null, params: Record<string, unknown>): Promise<{ results: Record<string, unknown>; item: LibraryDecision | null }> {
    const results = await run(lib, bundle, params);
    const decision = decisionFromTuple(results.Decision, lib, order, coverage, billingCodes(results));
    return { results, item: decision ? { lib, decision, reason: decision.reasons[0]?.text ?? '' } : null };
  }

  async function resolveBundle(input: RuleTestInput): Promise<Bundle> {
    if (input.patientBundle) {
      if (input.patientBundle.resourceType !== 'Bundle') throw new AppError('RULE_TEST_INPUT_INVALID', 'patientBundle is not a FHIR Bundle (resourceType must be "Bundle").');
      return input.patientBundle;
    }
    if (!input.patientId) throw new AppError('RULE_TEST_INPUT_INVALID', 'Pass "patientId" (a stored patient) or "patientBundle" (a FHIR Bundle with the Patient).');
    const source = typeof deps.fhir === 'function' ? deps.fhir() : deps.fhir;
    if (!source) throw new AppError('RULE_TEST_INPUT_INVALID', 'No FHIR store is configured to read patients from; pass "patientBundle" instead.');
    const bundle = await source.patientBundle(input.patientId);
    if (!bundle) throw new AppError('RULE_TEST_INPUT_INVALID', `No patient with id "${input.patientId}" in the FHIR store; pick one from GET /api/v1/fhir/patients.`);
    return bundle;
  }

  return {
    async evaluateOrder({ patientBundle, order, coverage }) {
      await registry.ready();
      if (!coverage) return noCoverageDecision(order);
      if (coverage.status && coverage.status !== 'active') return fixedOutcome(order, 'no-active-coverage');
      if (!(patientBundle.entry ?? []).some((e) => e.resource?.resourceType === 'Patient')) return fixedOutcome(order, 'no-member-found');
      const policy = await policyRows();
      // Libraries whose declared scope rules this order out are skipped before any CQL runs (applicability.ts).
      const scope = { order, coverage, policy, valueSetCodes };
      const enabled = registry.all().filter((l) => l.status === 'enabled' && l.kind === 'order' && applies(appliesToOf(l), scope));
      if (enabled.length === 0) return mergeDecisions([], order, coverage);
      const outcomes = await orderOutcomes(patientBundle, order, coverage, enabled);
      const items = outcomes.map((o, i): LibraryDecision | null => {
        const lib = enabled[i]!;
        if ('decision' in o) return o.decision ? { lib, decision: o.decision, reason: o.decision.reasons[0]?.text ?? '' } : null;
        deps.logger.warn({ library: lib.name, err: o.error }, 'rule library failed');
        const d = technicalDecision(order, `${lib.name}: ${o.error}`);
        return { lib, decision: { ...d, rules: [{ library: lib.name, version: lib.version }] }, reason: d.reasons[0]?.text ?? '' };
      });
      return mergeDecisions(items.filter((o): o is LibraryDecision => o !== null), order, coverage);
    },

    async patientView({ patientBundle }) {
      await registry.ready();
      const enabled = registry.all().filter((l) => l.status === 'enabled' && l.kind === 'patient');
      const out = await findingsOutcomes(patientBundle, enabled);
      return out.flatMap((o, i) => {
        if ('findings' in o) return o.findings;
        deps.logger.warn({ library: enabled[i]!.name, err: o.error }, 'patient-view rule failed');
        return [];
      });
    },

    async list() {
      await registry.ready();
      return registry.all().map((l) => registry.summary(l));
    },
    async get(name) {
      await registry.ready();
      return registry.detail(registry.find(name));
    },
    async compile(cqlText) {
      await registry.ready();
      return registry.compile(cqlText);
    },
    async add(input) {
      await registry.ready();
      return registry.detail(await registry.add(input));
    },
    async setStatus(name, status) {
      await registry.ready();
      return registry.summary(await registry.setStatus(name, status));
    },
    async remove(name) {
      await registry.ready();
      await registry.remove(name);
    },
    async test(name, input) {
      await registry.ready();
      const lib = registry.find(name);
      if (!input.order || typeof input.order !== 'object' || typeof input.order.resourceType !== 'string') {
        throw new AppError('RULE_TEST_INPUT_INVALID', '"order" must be a FHIR resource (e.g. a MedicationRequest with resourceType).');
      }
      const bundle = await resolveBundle(input);
      const coverage = input.coverage === undefined ? coverageFromBundle(bundle) : input.coverage;
      const t0 = performance.now();
      const params = await parametersFor(input.order, coverage);
      const { results, item } = await decide(lib, bundle, input.order, coverage, params);
      const elapsedMs = Math.round((performance.now() - t0) * 10) / 10;
      const decision = lib.kind === 'order' ? (coverage ? mergeDecisions(item ? [item] : [], input.order, coverage) : noCoverageDecision(input.order)) : null;
      return {
        library: lib.name,
        version: lib.version,
        results: Object.fromEntries(Object.entries(results).filter(([k]) => k !== 'Patient').map(([k, v]) => [k, toJsonSafe(v)])),
        decision,
        findings: findings(results.Findings, lib.name),
        elapsedMs,
        // how the CDS hooks evaluate this library (this test always runs cql-execution, the reference)
        fastPath: compiledStatus(registry.runnable(lib.name) as unknown as SourceLibrary, expressionsFor(lib.kind), compiledServices),
      };
    },
    async getPolicy() {
      const stored = await readPolicy(deps.db);
      return { rows: stored?.rows ?? defaultPolicyRows(), updatedAt: stored?.updatedAt ?? null };
    },
    async putPolicy(rows) {
      const valid = validatePolicy(rows);
      const updatedAt = await writePolicy(deps.db, valid);
      policyCache = valid;
      return { rows: valid, updatedAt };
    },
    threads: pool?.threads ?? 0,
    threadTasks: () => pool?.completed() ?? 0,
    close: async () => pool?.close(),
  };
}
