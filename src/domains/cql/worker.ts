/**
 * A rule worker thread (piscina; threads.ts starts it through workerBootstrap.mjs): evaluates orders and
 * patient-view findings with run.ts, exactly as the inline engine does. What does not change from call to call is
 * sent once per version and cached here, so a task carries only the call's own data (the patient's data cut, the
 * order, the Coverage) and two short keys: the catalog (every library's name, version and source hash; its
 * compiled cql.Library objects are reused by every later task of that version) and the policy table (as the
 * frozen CQL "Policy" parameter). A task whose catalog or policy version this thread lacks is answered
 * `needCatalog`; the pool resends it once with both. The FHIR model info and the value-set CodeService load once
 * per thread (execute.ts).
 */
import type cql from 'cql-execution';
import type { Bundle } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';
import { loadLibrary } from './execute.ts';
import { frozenPolicy, notCompiledOnce, runFindings, runOrder, type FindingsOutcome, type LibraryRef, type NotCompiled, type OrderOutcome, type OrderRun, type PolicyParameter, type Runnables } from './run.ts';

/** The ELM of every catalog library by name, for one catalog version (`key`: a short digest of that version). */
export interface CatalogPayload {
  key: string;
  elm: Record<string, Record<string, unknown>>;
}

/** One version of the policy table, as the CQL "Policy" parameter. */
export interface PolicyPayload {
  key: string;
  rows: PolicyParameter;
}

/** What the pool attaches to a task only when the thread asked for it (`needCatalog`). */
export interface SharedState {
  catalog: CatalogPayload;
  policy?: PolicyPayload;
}

/** A task as the engine builds it: the call's own data and the keys of the catalog and policy versions it needs. */
export type RuleTaskInput =
  | ({ kind: 'order'; catalogKey: string; policyKey: string } & Omit<OrderRun, 'policy'>)
  | { kind: 'findings'; catalogKey: string; bundle: Bundle; libraries: LibraryRef[] };

/** What crosses to the thread, as JSON text: the input, plus the shared state when the thread asked for it. */
export type RuleTask = RuleTaskInput & Partial<SharedState>;

/** `notCompiled`: libraries this thread runs on cql-execution, sent once per library of a catalog version (for the log). */
export type RuleReply = { needCatalog: true } | { outcomes: OrderOutcome[]; notCompiled?: NotCompiled[] } | { findings: FindingsOutcome[]; notCompiled?: NotCompiled[] };

interface LoadedCatalog {
  /** Compiled libraries by name, each loaded on first use and then kept for this catalog version. */
  runnables: Runnables;
  /** `order:Name` / `findings:Name` whose compiled-or-not status was already sent. */
  reported: Set<string>;
}

/** Newest last; two versions of each are kept so tasks queued across a change still find theirs. */
const catalogs = new Map<string, LoadedCatalog>();
const policies = new Map<string, PolicyParameter>();
const KEEP = 2;

function keep<V>(map: Map<string, V>, key: string, value: () => V): void {
  if (map.has(key)) return;
  map.set(key, value());
  while (map.size > KEEP) map.delete(map.keys().next().value as string);
}

function install(task: RuleTask): void {
  if (task.catalog) keep(catalogs, task.catalog.key, () => loaded(task.catalog!));
  const policy = task.policy;
  if (policy) keep(policies, policy.key, () => frozenPolicy(policy.rows));
}

function loaded(payload: CatalogPayload): LoadedCatalog {
  return { runnables: runnablesOf(payload.elm, new Map()), reported: new Set() };
}

function runnablesOf(all: CatalogPayload['elm'], compiled: Map<string, cql.Library>): Runnables {
  return (name: string): cql.Library => {
    const hit = compiled.get(name);
    if (hit) return hit;
    const elm = all[name];
    if (!elm) throw new AppError('RULE_NOT_FOUND', `No rule library named "${name}". Known: ${Object.keys(all).join(', ')}.`);
    try {
      const loaded = loadLibrary(elm, all);
      compiled.set(name, loaded);
      return loaded;
    } catch (err) {
      throw new AppError('CQL_ELM_INVALID', `Library ${name} cannot be loaded by cql-execution: ${(err as Error).message}`, { cause: err });
    }
  };
}

async function handle(json: string): Promise<RuleReply> {
  const task = JSON.parse(json) as RuleTask;
  install(task);
  const catalog = catalogs.get(task.catalogKey);
  if (!catalog) return { needCatalog: true };
  if (task.kind === 'findings') return { findings: await runFindings(catalog.runnables, task.bundle, task.libraries), ...statusOnce(catalog, 'findings', task.libraries) };
  const policy = policies.get(task.policyKey);
  if (!policy) return { needCatalog: true };
  const { bundle, order, coverage, libraries } = task;
  return { outcomes: await runOrder(catalog.runnables, { bundle, order, coverage, policy, libraries }), ...statusOnce(catalog, 'order', task.libraries) };
}

/** The libraries not compiled, for those this thread has not reported yet in this catalog version. */
function statusOnce(catalog: LoadedCatalog, kind: 'order' | 'findings', libraries: LibraryRef[]): { notCompiled?: NotCompiled[] } {
  const list = notCompiledOnce(catalog.runnables, kind, libraries, catalog.reported, (l) => `${kind}:${l.name}`);
  return list.length ? { notCompiled: list } : {};
}

let previous: Promise<unknown> = Promise.resolve();

/**
 * `json`: the task as JSON text (threads.ts sends text, which is cheaper to pass than a structured clone). The pool
 * hands a thread a second task while it runs one, so the next starts without waiting for a main-thread turn; tasks
 * still run one after the other here (CQL evaluation awaits between expressions, and interleaving two would only
 * delay both).
 */
export default function ruleTask(json: string): Promise<RuleReply> {
  const run = previous.then(() => handle(json));
  previous = run.catch(() => undefined);
  return run;
}
