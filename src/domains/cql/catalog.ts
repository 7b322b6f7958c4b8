/**
 * The rule library registry: built-ins seeded from library/*.cql on first use (their ELM cached in the DB by source
 * hash and in process memory, since translation takes ~1 s per library), uploads compiled on the server, and a cache
 * of runnable cql.Library objects rebuilt whenever the catalog changes.
 */
import type { Kysely } from 'kysely';
import type cql from 'cql-execution';
import { AppError, type Problem } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Database } from '../../storage/schema.ts';
import { precompiledElm } from './build-elm.ts';
import { loadLibrary } from './execute.ts';
import { deleteLibrary, listLibraries, setLibraryStatus, sha256, upsertLibrary, type StoredLibrary } from './store.ts';
import { builtinSources, elmExpressions, libraryHeader, translateCql } from './translate.ts';
import type { CompileResult, CqlProblem, RuleKind, RuleLibraryDetail, RuleLibrarySummary, RuleStatus } from './types.ts';

/** Compiled built-ins by source hash, shared by every app instance in the process (tests build many). */
const builtinElmCache = new Map<string, Record<string, unknown>>();

const BUILTIN_DESCRIPTIONS: Record<string, string> = {
  FHIRHelpers: 'FHIR 4.0.1 → CQL System type conversions (our own, written from the model info and the spec).',
  CoverageCommon: 'Shared helpers: plan of a Coverage, codes of an order, the Decision tuple.',
  Sinusitis: 'Active acute or chronic sinusitis (SNOMED CT + ICD-10-CM value sets), not one exact code.',
  AmoxicillinPriorAuth: 'Amoxicillin PA by diagnosis (sinusitis) and the Coverage plan (acme-standard, acme-gold).',
  TablePolicy: 'Order codes (CPT/HCPCS/RxNorm) matched against the editable policy table per payer plan.',
};

type ElmLib = { library?: { identifier?: { id?: string; version?: string }; includes?: { def?: { path?: string; version?: string; localIdentifier?: string }[] }; usings?: { def?: { localIdentifier?: string; version?: string }[] }; statements?: { def?: { name?: string; type?: string }[] } } };

export function kindOf(elm: Record<string, unknown>): RuleKind {
  // Expression definitions only: CoverageCommon's *function* "Decision" does not make it an order rule.
  const names = new Set(((elm as ElmLib).library?.statements?.def ?? []).filter((d) => d.type !== 'FunctionDef').map((d) => d.name));
  if (names.has('Decision')) return 'order';
  if (names.has('Findings')) return 'patient';
  return 'helper';
}

export function includesOf(elm: Record<string, unknown>): { name: string; version: string | null; alias: string }[] {
  return ((elm as ElmLib).library?.includes?.def ?? []).map((d) => ({ name: String(d.path), version: d.version ?? null, alias: String(d.localIdentifier ?? d.path) }));
}

export function toCqlProblems(problems: CqlProblem[]): Problem[] {
  return problems.map((p) => ({
    ...(p.line != null ? { row: p.line, field: `line ${p.line}:${p.column ?? 1}` } : { field: 'cql' }),
    problem: p.message,
    fix: p.severity === 'error' ? 'Fix the CQL at this line and compile again.' : 'Optional: review the warning.',
    severity: p.severity === 'error' ? 'error' : 'warning',
  }));
}

export interface LibraryRegistry {
  ready(): Promise<void>;
  all(): StoredLibrary[];
  find(name: string): StoredLibrary;
  /** The runnable library (includes resolved against the whole catalog). */
  runnable(name: string): cql.Library;
  summary(lib: StoredLibrary): RuleLibrarySummary;
  detail(lib: StoredLibrary): RuleLibraryDetail;
  compile(cqlText: string): Promise<CompileResult>;
  add(input: { name?: string; cql?: string; elm?: unknown; description?: string }): Promise<StoredLibrary>;
  setStatus(name: string, status: RuleStatus): Promise<StoredLibrary>;
  remove(name: string): Promise<void>;
}

export function createLibraryRegistry(deps: { db: Kysely<Database>; logger: Logger }): LibraryRegistry {
  let libs = new Map<string, StoredLibrary>();
  let runnables = new Map<string, cql.Library>();
  let readyPromise: Promise<void> | null = null;

  async function reload(): Promise<void> {
    libs = new Map((await listLibraries(deps.db)).map((l) => [l.name, l]));
    runnables = new Map();
  }

  /** Seed or refresh the built-ins: recompile only when the file's hash differs from the stored one. */
  async function seed(): Promise<void> {
    await reload();
    for (const [name, text] of builtinSources()) {
      const hash = sha256(text);
      const stored = libs.get(name);
      if (stored && stored.sourceHash === hash && stored.builtin) {
        builtinElmCache.set(hash, stored.elm);
        continue;
      }
      let elm = builtinElmCache.get(hash) ?? precompiledElm(name, text) ?? undefined;
      if (!elm) {
        const t0 = performance.now();
        const result = await translateCql(text);
        if (!result.ok || !result.elm) {
          throw new AppError('INTERNAL', `Built-in rule library ${name} does not compile: ${result.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ')}`);
        }
        elm = result.elm;
        builtinElmCache.set(hash, elm);
        deps.logger.info({ library: name, ms: Math.round(performance.now() - t0) }, 'compiled built-in CQL library');
      }
      await upsertLibrary(deps.db, {
        name,
        version: libraryHeader(text)?.version ?? '0.0.0',
        kind: kindOf(elm),
        status: stored?.status ?? 'enabled',
        builtin: true,
        description: BUILTIN_DESCRIPTIONS[name] ?? '',
        cql: text,
        sourceHash: hash,
        elm,
      });
    }
    await reload();
  }

  function find(name: string): StoredLibrary {
    const lib = libs.get(name);
    if (!lib) throw new AppError('RULE_NOT_FOUND', `No rule library named "${name}". Known: ${[...libs.keys()].join(', ')}.`);
    return lib;
  }

  function repositoryData(): Record<string, Record<string, unknown>> {
    return Object.fromEntries([...libs.values()].map((l) => [l.name, l.elm]));
  }

  function storedSources(): Map<string, string> {
    return new Map([...libs.values()].filter((l) => !l.builtin && l.cql).map((l) => [l.name, l.cql as string]));
  }

  function summary(lib: StoredLibrary): RuleLibrarySummary {
    return { name: lib.name, version: lib.version, kind: lib.kind, status: lib.status, builtin: lib.builtin, description: lib.description, createdAt: lib.createdAt, updatedAt: lib.updatedAt };
  }

  function checkElm(elm: unknown): Record<string, unknown> {
    const e = elm as ElmLib;
    const id = e?.library?.identifier;
    if (!e || typeof e !== 'object' || !id?.id) {
      throw new AppError('CQL_ELM_INVALID', 'The ELM has no library.identifier.id: upload the translator\'s JSON output ({"library": {"identifier": {"id": …, "version": …}, …}}).');
    }
    const fhir = (e.library?.usings?.def ?? []).find((u) => u.localIdentifier === 'FHIR');
    if (fhir && fhir.version !== '4.0.1') throw new AppError('CQL_ELM_INVALID', `The ELM uses FHIR ${fhir.version}; the engine runs FHIR 4.0.1 data (use \`using FHIR version '4.0.1'\`).`);
    for (const inc of includesOf(elm as Record<string, unknown>)) {
      const target = libs.get(inc.name);
      if (!target || (inc.version && target.version !== inc.version)) {
        throw new AppError('CQL_ELM_INVALID', `The ELM includes ${inc.name} version '${inc.version ?? ''}', which is not in the catalog${target ? ` (it has version '${target.version}')` : ''}. Upload it first.`);
      }
    }
    return elm as Record<string, unknown>;
  }

  return {
    ready() {
      readyPromise ??= seed().catch((err: unknown) => {
        readyPromise = null;
        throw err;
      });
      return readyPromise;
    },
    all: () => [...libs.values()],
    find,
    runnable(name) {
      const hit = runnables.get(name);
      if (hit) return hit;
      const lib = find(name);
      try {
        const loaded = loadLibrary(lib.elm, repositoryData());
        runnables.set(name, loaded);
        return loaded;
      } catch (err) {
        throw new AppError('CQL_ELM_INVALID', `Library ${name} cannot be loaded by cql-execution: ${(err as Error).message}`, { cause: err });
      }
    },
    summary,
    detail(lib) {
      return {
        ...summary(lib),
        cql: lib.cql,
        expressions: elmExpressions(lib.elm),
        includes: includesOf(lib.elm),
        warnings: [],
      };
    },
    compile(cqlText) {
      return translateCql(cqlText, { sources: storedSources() });
    },
    async add(input) {
      let elm: Record<string, unknown>;
      let cqlText: string | null = null;
      if (typeof input.cql === 'string' && input.cql.trim()) {
        const header = libraryHeader(input.cql);
        if (!header) {
          throw new AppError('CQL_TRANSLATION_FAILED', 'The CQL has no library declaration: start it with `library MyRule version \'1.0.0\'`.', {
            problems: [{ row: 1, field: 'line 1:1', problem: 'missing library declaration', fix: "Add `library MyRule version '1.0.0'` as the first statement." }],
          });
        }
        if (libs.get(header.name)?.builtin) throw new AppError('RULE_BUILTIN', `${header.name} is a built-in library; upload your rule under another library name.`);
        const result = await translateCql(input.cql, { sources: storedSources() });
        if (!result.ok || !result.elm) {
          const errors = result.problems.filter((p) => p.severity === 'error');
          const first = errors[0];
          throw new AppError('CQL_TRANSLATION_FAILED', `The CQL has ${errors.length} error(s)${first ? `; the first at line ${first.line ?? '?'}:${first.column ?? '?'}: ${first.message}` : ''}.`, {
            problems: toCqlProblems(result.problems),
            extra: { cqlProblems: result.problems },
          });
        }
        elm = result.elm;
        cqlText = input.cql;
      } else if (input.elm !== undefined) {
        elm = checkElm(typeof input.elm === 'string' ? (JSON.parse(input.elm) as unknown) : input.elm);
      } else {
        throw new AppError('VALIDATION_FAILED', 'Send the library as "cql" (CQL text) or "elm" (ELM JSON).', {
          problems: [{ field: 'cql', problem: 'missing', fix: 'Add "cql": "library MyRule version \'1.0.0\' …" (or "elm").' }],
        });
      }
      const id = (elm as ElmLib).library?.identifier;
      const name = String(id?.id);
      if (input.name && input.name !== name) {
        throw new AppError('VALIDATION_FAILED', `The library declares the name "${name}" but "name" is "${input.name}".`, {
          problems: [{ field: 'name', problem: `differs from the library name ${name}`, fix: `Leave "name" out or set it to "${name}".` }],
        });
      }
      const existing = libs.get(name);
      if (existing?.builtin) throw new AppError('RULE_BUILTIN', `${name} is a built-in library; upload your rule under another library name.`);
      // Prove cql-execution can load it (includes resolve) before storing.
      try {
        loadLibrary(elm, { ...repositoryData(), [name]: elm });
      } catch (err) {
        throw new AppError('CQL_ELM_INVALID', `cql-execution cannot load ${name}: ${(err as Error).message}`, { cause: err });
      }
      await upsertLibrary(deps.db, {
        name,
        version: id?.version ?? '0.0.0',
        kind: kindOf(elm),
        // New uploads start disabled: test them on a patient first, then enable.
        status: existing?.status ?? 'disabled',
        builtin: false,
        description: input.description ?? existing?.description ?? '',
        cql: cqlText,
        sourceHash: sha256(cqlText ?? JSON.stringify(elm)),
        elm,
      });
      await reload();
      return find(name);
    },
    async setStatus(name, status) {
      find(name);
      await setLibraryStatus(deps.db, name, status);
      await reload();
      return find(name);
    },
    async remove(name) {
      const lib = find(name);
      if (lib.builtin) throw new AppError('RULE_BUILTIN', `${name} is a built-in library; disable it instead (PATCH {"status": "disabled"}).`);
      const includer = [...libs.values()].find((l) => l.name !== name && includesOf(l.elm).some((i) => i.name === name));
      if (includer) throw new AppError('RULE_IN_USE', `${includer.name} includes ${name}; delete or change ${includer.name} first.`);
      await deleteLibrary(deps.db, name);
      await reload();
    },
  };
}
