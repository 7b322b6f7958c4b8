/**
 * CQL → ELM in Node with the reference translator's Kotlin/JS build (@cqframework/cql 5.3.0): the System model
 * info from SystemModelInfoProvider, FHIR 4.0.1 from cql-exec-fhir's model info XML, and our own libraries
 * (library/*.cql, FHIRHelpers included) plus any stored ones from a source map.
 *
 * Loading the FHIR model and compiling FHIRHelpers takes seconds, so one ModelManager/LibraryManager lives per
 * process and is reused; it caches compiled includes, so it is rebuilt when an include's source changed. The 15 MB
 * translator is imported on first use, so servers and CLI commands that never compile do not pay for it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CqlCompilerOptions, LibraryManager, ModelManager } from '@cqframework/cql/cql-to-elm';
import type { CompileResult, CqlProblem, RuleExpression } from './types.ts';

export const LIBRARY_DIR = join(import.meta.dirname, 'library');
const FHIR_MODEL_INFO = join(
  // resolve the package folder (its "main" is lib/index.js) without relying on a cwd
  createRequire(import.meta.url).resolve('cql-exec-fhir').replace(/[\\/]lib[\\/]index\.js$/, ''),
  'lib/modelInfos/fhir-modelinfo-4.0.1.xml',
);

/** Library name → CQL text for the files in library/ ("FHIRHelpers-4.0.1.cql" is library FHIRHelpers). */
export function builtinSources(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(LIBRARY_DIR)) {
    if (!f.endsWith('.cql')) continue;
    const text = readFileSync(join(LIBRARY_DIR, f), 'utf8');
    out.set(libraryHeader(text)?.name ?? f.replace(/(-[\d.]+)?\.cql$/, ''), text);
  }
  return out;
}

/** `library Name version 'x'` from the source (null when there is no library statement). */
export function libraryHeader(cql: string): { name: string; version: string | null } | null {
  const clean = cql.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const m = /^\s*library\s+("([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))(?:\s+version\s+'([^']*)')?/m.exec(clean);
  if (!m) return null;
  return { name: (m[2] ?? m[3]) as string, version: m[4] ?? null };
}

export interface TranslateOptions {
  /** Sources of includable libraries beyond library/ (stored uploads), by library name. */
  sources?: ReadonlyMap<string, string>;
}

interface ElmAnnotation {
  type?: string;
  libraryId?: string;
  startLine?: number;
  startChar?: number;
  endLine?: number;
  endChar?: number;
  message?: string;
  errorSeverity?: string;
}

type CqlToElm = typeof import('@cqframework/cql/cql-to-elm');
type CqlCore = typeof import('@cqframework/cql/cql');
let api: { elm: CqlToElm; core: CqlCore } | null = null;
async function loadApi(): Promise<{ elm: CqlToElm; core: CqlCore }> {
  api ??= { elm: await import('@cqframework/cql/cql-to-elm'), core: await import('@cqframework/cql/cql') };
  return api;
}

let modelManager: ModelManager | null = null;
let libraryManager: { manager: LibraryManager; seen: Map<string, string> } | null = null;
let currentSources = new Map<string, string>();

function getModelManager({ elm: { ModelManager, createModelInfoProvider, stringAsSource }, core: { SystemModelInfoProvider } }: { elm: CqlToElm; core: CqlCore }): ModelManager {
  if (modelManager) return modelManager;
  const fhirXml = readFileSync(FHIR_MODEL_INFO, 'utf8');
  const mm = new ModelManager();
  mm.modelInfoLoader.registerModelInfoProvider(new SystemModelInfoProvider());
  mm.modelInfoLoader.registerModelInfoProvider(
    createModelInfoProvider((id, _system, version) => (id === 'FHIR' && (version == null || version === '4.0.1') ? stringAsSource(fhirXml) : null)),
  );
  modelManager = mm;
  return mm;
}

function compilerOptions({ CqlCompilerOptions }: CqlToElm): CqlCompilerOptions {
  const O = CqlCompilerOptions.Options;
  // Locators give line:column for errors and UI; result types give each expression's type. No annotations: the
  // ELM stays small (annotations repeat the source).
  return new CqlCompilerOptions().withOptions([O.EnableLocators, O.EnableResultTypes, O.DisableListDemotion, O.DisableListPromotion]);
}

function getLibraryManager(a: { elm: CqlToElm; core: CqlCore }, sources: Map<string, string>): LibraryManager {
  const { LibraryManager, createLibrarySourceProvider, stringAsSource } = a.elm;
  if (libraryManager) {
    const stale = [...libraryManager.seen].some(([name, text]) => sources.has(name) && sources.get(name) !== text);
    if (!stale) return libraryManager.manager;
  }
  const manager = new LibraryManager(getModelManager(a), compilerOptions(a.elm));
  const seen = new Map<string, string>();
  manager.librarySourceLoader.registerProvider(
    createLibrarySourceProvider((id) => {
      const text = currentSources.get(id);
      if (text === undefined) return null;
      seen.set(id, text);
      return stringAsSource(text);
    }),
  );
  libraryManager = { manager, seen };
  return manager;
}

function severity(s: string | undefined): CqlProblem['severity'] {
  return s === 'warning' ? 'warning' : s === 'info' ? 'info' : 'error';
}

/** "List<FHIR.Condition>", "Tuple { a System.String }" … from an ELM resultTypeName/resultTypeSpecifier. */
export function typeToString(node: unknown): string {
  if (node == null || typeof node !== 'object') return 'Any';
  const n = node as Record<string, unknown>;
  if (typeof n.resultTypeName === 'string') return qname(n.resultTypeName);
  const spec = (n.resultTypeSpecifier ?? n) as Record<string, unknown>;
  switch (spec.type) {
    case 'NamedTypeSpecifier':
      return qname(String(spec.name));
    case 'ListTypeSpecifier':
      return `List<${typeToString({ resultTypeSpecifier: spec.elementType })}>`;
    case 'IntervalTypeSpecifier':
      return `Interval<${typeToString({ resultTypeSpecifier: spec.pointType })}>`;
    case 'ChoiceTypeSpecifier':
      return `Choice<${((spec.choice ?? spec.type_) as unknown[] | undefined ?? []).map((c) => typeToString({ resultTypeSpecifier: c })).join(', ')}>`;
    case 'TupleTypeSpecifier': {
      const els = (spec.element as { name: string; elementType: unknown }[] | undefined) ?? [];
      return `Tuple { ${els.map((e) => `${e.name} ${typeToString({ resultTypeSpecifier: e.elementType })}`).join(', ')} }`;
    }
    default:
      return 'Any';
  }
}

function qname(name: string): string {
  // "{urn:hl7-org:elm-types:r1}Boolean" → System.Boolean, "{http://hl7.org/fhir}Condition" → FHIR.Condition
  const m = /^\{([^}]*)\}(.*)$/.exec(name);
  if (!m) return name;
  const ns = m[1] === 'urn:hl7-org:elm-types:r1' ? 'System' : m[1] === 'http://hl7.org/fhir' ? 'FHIR' : m[1];
  return `${ns}.${m[2]}`;
}

/** The expressions (and functions) a library defines, with their types; the implicit `Patient` context def is left out. */
export function elmExpressions(elm: Record<string, unknown>): RuleExpression[] {
  const lib = elm.library as { statements?: { def?: Record<string, unknown>[] } } | undefined;
  const defs = lib?.statements?.def ?? [];
  return defs
    .filter((d) => !(d.name === 'Patient' && d.accessLevel === undefined && d.type !== 'FunctionDef'))
    .map((d) => ({
      name: String(d.name),
      type: typeToString(d.expression && (d.resultTypeName || d.resultTypeSpecifier) ? d : d.expression ?? d),
      context: typeof d.context === 'string' ? d.context : undefined,
      accessLevel: typeof d.accessLevel === 'string' ? d.accessLevel : undefined,
      isFunction: d.type === 'FunctionDef',
    }));
}

/** Translate one CQL library. Never throws for bad CQL: problems carry the messages with line:column. */
export async function translateCql(cql: string, options: TranslateOptions = {}): Promise<CompileResult> {
  const a = await loadApi();
  const sources = builtinSourcesCached();
  const merged = new Map<string, string>(sources);
  for (const [k, v] of options.sources ?? []) if (!merged.has(k)) merged.set(k, v);
  const header = libraryHeader(cql);
  // The library being compiled is also visible under its own name (for the cache check), not as an include.
  if (header) merged.set(header.name, cql);
  const manager = getLibraryManager(a, merged);
  currentSources = merged;
  let elmText: string;
  try {
    elmText = a.elm.CqlTranslator.fromText(cql, manager).toJson();
  } catch (err) {
    return { ok: false, name: header?.name ?? null, version: header?.version ?? null, elm: null, expressions: [], problems: [{ severity: 'error', message: `The translator failed: ${(err as Error).message}` }] };
  }
  if (header && libraryManager) libraryManager.seen.set(header.name, cql);
  const elm = JSON.parse(elmText) as { library: { identifier?: { id?: string; version?: string }; annotation?: ElmAnnotation[] } };
  const id = elm.library.identifier;
  let problems: CqlProblem[] = (elm.library.annotation ?? [])
    .filter((a) => a.type === 'CqlToElmError')
    .map((a) => {
      const inOther = a.libraryId && id?.id && a.libraryId !== id.id;
      return {
        severity: severity(a.errorSeverity),
        message: inOther ? `In included library ${a.libraryId}: ${a.message ?? ''}` : (a.message ?? ''),
        ...(a.startLine != null && !inOther ? { line: a.startLine, column: (a.startChar ?? 0) || 1, endLine: a.endLine ?? a.startLine, endColumn: a.endChar ?? a.startChar ?? 1 } : {}),
      };
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  // A syntax error also yields "Internal translator error." at the broken statement: noise, dropped.
  const hasSyntax = problems.some((p) => p.message.startsWith('Syntax error'));
  if (hasSyntax) problems = problems.filter((p) => p.message !== 'Internal translator error.');
  const ok = !problems.some((p) => p.severity === 'error');
  return {
    ok,
    name: id?.id ?? header?.name ?? null,
    version: id?.version ?? header?.version ?? null,
    elm: ok ? (elm as unknown as Record<string, unknown>) : null,
    problems,
    expressions: ok ? elmExpressions(elm as unknown as Record<string, unknown>) : [],
  };
}

let builtinCache: Map<string, string> | null = null;
function builtinSourcesCached(): Map<string, string> {
  builtinCache ??= builtinSources();
  return builtinCache;
}
