/**
 * Contract of the CQL payer-rule engine (C7). The CDS Hooks service (src/domains/cds) calls `RuleEngine`;
 * the catalog routes / CLI / UI use `RuleCatalog`. Codes follow Da Vinci CRD's coverage-information extension.
 */
import type { Bundle, Coding, Coverage, Resource } from '@medplum/fhirtypes';

export type CoveredCode = 'covered' | 'not-covered' | 'conditional' | 'indeterminate';
export type PaNeededCode = 'no-auth' | 'auth-needed' | 'satisfied' | 'performpa' | 'conditional' | 'indeterminate';
export type DocNeededCode = 'clinical' | 'admin' | 'patient' | 'conditional' | 'indeterminate';
export type DocPurposeCode = 'withpa' | 'withclaim' | 'withorder' | 'retain-doc' | 'OTH';
export type InfoNeededCode = 'performer' | 'location' | 'timeframe' | 'contract-window' | 'detail-code' | 'OTH';

export interface CoverageDecision {
  covered: CoveredCode;
  paNeeded?: PaNeededCode;
  docNeeded?: DocNeededCode[];
  docPurpose?: DocPurposeCode[];
  infoNeeded?: InfoNeededCode[];
  billingCodes?: Coding[];
  /** `code` from CRD's temporary reason code system where one applies (coverage-not-found, no-member-found, technical…). */
  reasons: { code?: string; text: string }[];
  /** ≤140 chars, actionable, e.g. "Prior authorization required for amoxicillin (Acme Gold plan)". */
  summary: string;
  /** Markdown: why (which rule / which conditions matched). */
  detail?: string;
  links?: { label: string; url: string; type: 'absolute' | 'smart' }[];
  /** Which rules decided (audit). Empty when no rule applied to the order. */
  rules: { library: string; version: string; expression?: string }[];
}

export interface PatientViewFinding {
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  library: string;
}

export interface EvaluateOrderInput {
  hook: string;
  /** From FhirDataSource.patientBundle (may also contain the prefetched data). */
  patientBundle: Bundle;
  /** The draft order: MedicationRequest, ServiceRequest, DeviceRequest, … */
  order: Resource;
  /** The patient's primary active Coverage; null ⇒ CRD's fixed outcome not-covered / coverage-not-found. */
  coverage: Coverage | null;
}

export interface RuleEngine {
  /** One decision per order. */
  evaluateOrder(input: EvaluateOrderInput): Promise<CoverageDecision>;
  patientView(input: { patientBundle: Bundle }): Promise<PatientViewFinding[]>;
}

// ---- catalog ---------------------------------------------------------------------------------

export type RuleStatus = 'enabled' | 'disabled';
/** order: decides coverage for an order (defines `Decision`); patient: patient-view findings (defines `Findings`); helper: included by others. */
export type RuleKind = 'order' | 'patient' | 'helper';

/** A translator message with its position in the CQL source (1-based). */
export interface CqlProblem {
  severity: 'error' | 'warning' | 'info';
  message: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface RuleExpression {
  name: string;
  /** CQL type as the translator resolved it, e.g. "System.Boolean", "List<FHIR.Condition>", "Tuple{...}". */
  type: string;
  context?: string;
  accessLevel?: string;
  /** Functions take operands; they are listed but not evaluated by `test`. */
  isFunction: boolean;
}

export interface RuleLibrarySummary {
  name: string;
  version: string;
  kind: RuleKind;
  status: RuleStatus;
  builtin: boolean;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface RuleLibraryDetail extends RuleLibrarySummary {
  cql: string | null;
  expressions: RuleExpression[];
  includes: { name: string; version: string | null; alias: string }[];
  warnings: CqlProblem[];
}

export interface CompileResult {
  ok: boolean;
  name: string | null;
  version: string | null;
  /** ELM JSON ({ library: … }) when ok. */
  elm: Record<string, unknown> | null;
  problems: CqlProblem[];
  expressions: RuleExpression[];
}

export interface RuleTestInput {
  /** Either a stored patient (read via the FHIR data source) or an inline Bundle. */
  patientId?: string;
  patientBundle?: Bundle;
  order: Resource;
  coverage?: Coverage | null;
}

export interface RuleTestResult {
  library: string;
  version: string;
  /** Expression name → JSON-safe value (FHIR resources as JSON, CQL codes / intervals simplified). */
  results: Record<string, unknown>;
  /** The decision this one library gives for the order (order libraries), or null. */
  decision: CoverageDecision | null;
  /** Findings (patient libraries). */
  findings: PatientViewFinding[];
  elapsedMs: number;
  /**
   * How the CDS hooks evaluate this library: `compiled` (the compiled evaluator, compiled/), or on cql-execution with
   * the reason (a node or type the compiler does not cover). `test` itself always runs cql-execution.
   */
  fastPath: { compiled: true } | { compiled: false; reason: string };
}

export type PolicyRequirement = 'pa' | 'doc' | 'none' | 'not-covered';

/** One row of the table-driven policy: what a payer plan requires for a code. */
export interface PolicyRow {
  plan: string;
  system: string;
  code: string;
  display: string;
  requirement: PolicyRequirement;
  docNeeded?: DocNeededCode;
  note?: string;
}

export interface PolicyTable {
  rows: PolicyRow[];
  updatedAt: string | null;
}

export interface RuleCatalog {
  list(): Promise<RuleLibrarySummary[]>;
  get(name: string): Promise<RuleLibraryDetail>;
  /** Translate CQL without storing it (the UI's compile button). */
  compile(cql: string): Promise<CompileResult>;
  /** Add or replace (same name) a library from CQL (compiled on the server) or ELM JSON. New libraries start disabled. */
  add(input: { name?: string; cql?: string; elm?: unknown; description?: string }): Promise<RuleLibraryDetail>;
  setStatus(name: string, status: RuleStatus): Promise<RuleLibrarySummary>;
  remove(name: string): Promise<void>;
  test(name: string, input: RuleTestInput): Promise<RuleTestResult>;
  getPolicy(): Promise<PolicyTable>;
  putPolicy(rows: unknown): Promise<PolicyTable>;
}

export type RuleService = RuleEngine & RuleCatalog;
