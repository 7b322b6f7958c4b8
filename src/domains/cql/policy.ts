/**
 * The table-driven payer policy: rows of `plan, system, code, display, requirement, docNeeded?, note` that the
 * TablePolicy library matches the order's codes against. Accepted as JSON rows or CSV text (header row required);
 * validated here so a payer gets row-by-row errors instead of a rule that silently matches nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { AppError, type Problem } from '../../core/errors.ts';
import { LIBRARY_DIR } from './translate.ts';
import type { DocNeededCode, PolicyRequirement, PolicyRow } from './types.ts';

export const REQUIREMENTS: readonly PolicyRequirement[] = ['pa', 'doc', 'none', 'not-covered'];
const DOC_NEEDED: readonly DocNeededCode[] = ['clinical', 'admin', 'patient', 'conditional', 'indeterminate'];
const FIELDS = ['plan', 'system', 'code', 'display', 'requirement', 'docNeeded', 'note'] as const;

/** Short names payers write in CSVs → the code system URIs FHIR orders carry. */
const SYSTEM_ALIASES: Record<string, string> = {
  cpt: 'http://www.ama-assn.org/go/cpt',
  hcpcs: 'https://bluebutton.cms.gov/resources/codesystem/hcpcs',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  snomed: 'http://snomed.info/sct',
  'icd-10-cm': 'http://hl7.org/fhir/sid/icd-10-cm',
  loinc: 'http://loinc.org',
};

export function defaultPolicyRows(): PolicyRow[] {
  return validatePolicy(JSON.parse(readFileSync(join(LIBRARY_DIR, 'policy.json'), 'utf8')) as unknown);
}

/** Parse CSV text (with a header row naming the columns) into raw row objects. */
export function parsePolicyCsv(text: string): Record<string, string>[] {
  try {
    return parse(text, { columns: (h: string[]) => h.map((c) => c.trim()), skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (err) {
    throw new AppError('RULE_POLICY_INVALID', `The policy CSV is malformed: ${(err as Error).message}`, {
      problems: [{ field: 'csv', problem: (err as Error).message, fix: 'Write one row per line with the header plan,system,code,display,requirement,docNeeded,note; quote values containing commas.' }],
    });
  }
}

/** Validate rows (JSON array, `{rows: [...]}` or CSV text) into PolicyRow[]; throws RULE_POLICY_INVALID naming each bad row. */
export function validatePolicy(input: unknown): PolicyRow[] {
  let raw: unknown = input;
  if (typeof raw === 'string') raw = parsePolicyCsv(raw);
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'rows' in raw) raw = (raw as { rows: unknown }).rows;
  if (!Array.isArray(raw)) {
    throw new AppError('RULE_POLICY_INVALID', 'The policy table must be a JSON array of rows (or {"rows": [...]}, or CSV text).', {
      problems: [{ field: 'rows', problem: 'not an array', fix: 'Send [{"plan": "acme-gold", "system": "http://www.ama-assn.org/go/cpt", "code": "72148", "display": "MRI lumbar spine", "requirement": "pa"}, …].' }],
    });
  }
  const problems: Problem[] = [];
  const rows: PolicyRow[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item: unknown, i) => {
    const row = i + 1;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ row, field: 'row', problem: 'not an object', fix: 'Each row is an object with plan, system, code, display, requirement.' });
      return;
    }
    const r = item as Record<string, unknown>;
    const str = (k: string): string => (r[k] == null ? '' : String(r[k]).trim());
    for (const k of Object.keys(r)) {
      if (!(FIELDS as readonly string[]).includes(k)) problems.push({ row, field: k, problem: 'unknown column', fix: `Use only the columns ${FIELDS.join(', ')}.`, severity: 'error' });
    }
    const plan = str('plan');
    const system = SYSTEM_ALIASES[str('system').toLowerCase()] ?? str('system');
    const code = str('code');
    const requirement = str('requirement').toLowerCase();
    const docNeeded = str('docNeeded').toLowerCase();
    if (!plan) problems.push({ row, field: 'plan', problem: 'missing', fix: "Name the plan as on the Coverage (class of type plan: value or name), or '*' for every plan." });
    if (!system) problems.push({ row, field: 'system', problem: 'missing', fix: 'Give the code system URI (or cpt, hcpcs, rxnorm, snomed, icd-10-cm, loinc).' });
    else if (!/^(https?:|urn:)/.test(system)) problems.push({ row, field: 'system', problem: `"${system}" is not a URI`, fix: 'Use a URI such as http://www.ama-assn.org/go/cpt, or one of the aliases cpt, hcpcs, rxnorm.' });
    if (!code) problems.push({ row, field: 'code', problem: 'missing', fix: 'Give the code, e.g. 72148.' });
    if (!(REQUIREMENTS as readonly string[]).includes(requirement)) {
      problems.push({ row, field: 'requirement', problem: requirement ? `"${requirement}" is not a requirement` : 'missing', fix: `Use one of ${REQUIREMENTS.join(', ')}.` });
    }
    if (docNeeded && !(DOC_NEEDED as readonly string[]).includes(docNeeded)) {
      problems.push({ row, field: 'docNeeded', problem: `"${docNeeded}" is not a documentation type`, fix: `Use one of ${DOC_NEEDED.join(', ')} or leave it empty.` });
    }
    const key = `${plan.toLowerCase()}|${system}|${code}`;
    const dup = seen.get(key);
    if (dup !== undefined && plan && code) problems.push({ row, field: 'code', problem: `duplicates row ${dup} (same plan, system and code)`, fix: 'Keep one row per plan and code.' });
    seen.set(key, row);
    rows.push({
      plan,
      system,
      code,
      display: str('display') || code,
      requirement: requirement as PolicyRequirement,
      ...(docNeeded ? { docNeeded: docNeeded as DocNeededCode } : {}),
      ...(str('note') ? { note: str('note') } : {}),
    });
  });
  if (problems.length) {
    throw new AppError('RULE_POLICY_INVALID', `The policy table has ${problems.length} problem(s); the first: row ${problems[0]?.row} ${problems[0]?.field}: ${problems[0]?.problem}.`, { problems });
  }
  return rows;
}

/** Rows as the CQL "Policy" parameter: every tuple field present (null when empty) so property access is uniform. */
export function policyParameter(rows: PolicyRow[]): Record<string, string | null>[] {
  return rows.map((r) => ({
    plan: r.plan,
    system: r.system,
    code: r.code,
    display: r.display,
    requirement: r.requirement,
    docNeeded: r.docNeeded ?? null,
    note: r.note ?? null,
  }));
}
