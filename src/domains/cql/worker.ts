/**
 * A rule worker thread (piscina; threads.ts starts it through workerBootstrap.mjs): evaluates orders and
 * patient-view findings with run.ts, exactly as the inline engine does. Compiled libraries are cached per catalog
 * version (every library's name, version and source hash): the first task after a catalog change answers
 * `needCatalog`, the pool resends it with the ELM, and every later task of that version reuses the compiled
 * cql.Library objects. The FHIR model info and the value-set CodeService load once per thread (execute.ts).
 */
import type cql from 'cql-execution';
import type { Bundle } from '@medplum/fhirtypes';
import { AppError } from '../../core/errors.ts';
import { loadLibrary } from './execute.ts';
import { FINDINGS_EXPRESSIONS, notCompiled, ORDER_EXPRESSIONS, runFindings, runOrder, type FindingsOutcome, type LibraryRef, type NotCompiled, type OrderOutcome, type OrderRun } from './run.ts';

/** The ELM of every catalog library by name, for one catalog version. */
export interface CatalogPayload {
  key: string;
  elm: Record<string, Record<string, unknown>>;
}

export type RuleTask =
  | ({ kind: 'order'; catalogKey: string; catalog?: CatalogPayload } & OrderRun)
  | { kind: 'findings'; catalogKey: string; catalog?: CatalogPayload; bundle: Bundle; libraries: LibraryRef[] };

/** `notCompiled`: libraries this thread runs on cql-execution, sent once per library of a catalog version (for the log). */
export type RuleReply = { needCatalog: true } | { outcomes: OrderOutcome[]; notCompiled?: NotCompiled[] } | { findings: FindingsOutcome[]; notCompiled?: NotCompiled[] };

interface LoadedCatalog {
  elm: Record<string, Record<string, unknown>>;
  compiled: Map<string, cql.Library>;
  /** `order:Name` / `findings:Name` whose compiled-or-not status was already sent. */
  reported: Set<string>;
}

/** Newest last; two versions are kept so tasks queued across a catalog change still find theirs. */
const catalogs = new Map<string, LoadedCatalog>();
const KEEP = 2;

function install(payload: CatalogPayload): void {
  if (catalogs.has(payload.key)) return;
  catalogs.set(payload.key, { elm: payload.elm, compiled: new Map(), reported: new Set() });
  while (catalogs.size > KEEP) catalogs.delete(catalogs.keys().next().value as string);
}

function runnables(catalog: LoadedCatalog) {
  return (name: string): cql.Library => {
    const hit = catalog.compiled.get(name);
    if (hit) return hit;
    const elm = catalog.elm[name];
    if (!elm) throw new AppError('RULE_NOT_FOUND', `No rule library named "${name}". Known: ${Object.keys(catalog.elm).join(', ')}.`);
    try {
      const loaded = loadLibrary(elm, catalog.elm);
      catalog.compiled.set(name, loaded);
      return loaded;
    } catch (err) {
      throw new AppError('CQL_ELM_INVALID', `Library ${name} cannot be loaded by cql-execution: ${(err as Error).message}`, { cause: err });
    }
  };
}

async function handle(json: string): Promise<RuleReply> {
  const task = JSON.parse(json) as RuleTask;
  if (task.catalog) install(task.catalog);
  const catalog = catalogs.get(task.catalogKey);
  if (!catalog) return { needCatalog: true };
  if (task.kind === 'findings') return { findings: await runFindings(runnables(catalog), task.bundle, task.libraries), ...statusOnce(catalog, 'findings', task.libraries) };
  return { outcomes: await runOrder(runnables(catalog), task), ...statusOnce(catalog, 'order', task.libraries) };
}

/** The libraries not compiled, for those this thread has not reported yet in this catalog version. */
function statusOnce(catalog: LoadedCatalog, kind: 'order' | 'findings', libraries: LibraryRef[]): { notCompiled?: NotCompiled[] } {
  const fresh = libraries.filter((l) => !catalog.reported.has(`${kind}:${l.name}`));
  if (fresh.length === 0) return {};
  for (const l of fresh) catalog.reported.add(`${kind}:${l.name}`);
  const list = notCompiled(runnables(catalog), fresh, kind === 'order' ? ORDER_EXPRESSIONS : FINDINGS_EXPRESSIONS);
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
