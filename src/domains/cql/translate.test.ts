import { describe, expect, it } from 'vitest';
import { precompiledElm } from './build-elm.ts';
import { builtinSources, elmExpressions, libraryHeader, translateCql } from './translate.ts';

describe('CQL → ELM translation (@cqframework/cql)', () => {
  const sources = builtinSources();

  it('finds the built-in libraries by their library statement', () => {
    expect([...sources.keys()].sort()).toEqual(['AmoxicillinPriorAuth', 'CoverageCommon', 'FHIRHelpers', 'Sinusitis', 'TablePolicy']);
    expect(libraryHeader(sources.get('FHIRHelpers') as string)).toEqual({ name: 'FHIRHelpers', version: '4.0.1' });
  });

  it.each(['FHIRHelpers', 'CoverageCommon', 'Sinusitis', 'AmoxicillinPriorAuth', 'TablePolicy'])('%s compiles with no errors or warnings', async (name) => {
    const result = await translateCql(sources.get(name) as string);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.name).toBe(name);
    expect((result.elm as { library: { identifier: { id: string } } }).library.identifier.id).toBe(name);
    // the shipped precompiled ELM is current (regenerate with `npx tsx src/domains/cql/build-elm.ts`)
    expect(precompiledElm(name, sources.get(name) as string), `library/elm/${name}.json is stale`).toEqual(result.elm);
  }, 60_000);

  it('FHIRHelpers defines every conversion function the FHIR 4.0.1 model info names', async () => {
    const elm = precompiledElm('FHIRHelpers', sources.get('FHIRHelpers') as string) ?? (await translateCql(sources.get('FHIRHelpers') as string)).elm;
    const names = new Set(elmExpressions(elm as Record<string, unknown>).map((e) => e.name));
    for (const f of ['ToCode', 'ToConcept', 'ToQuantity', 'ToInterval', 'ToString', 'ToBoolean', 'ToDateTime', 'ToDate', 'ToDecimal', 'ToInteger', 'ToTime', 'ToRatio']) expect(names.has(f)).toBe(true);
  }, 60_000);

  it('lists expressions with their result types', async () => {
    const result = await translateCql(sources.get('Sinusitis') as string);
    const byName = Object.fromEntries(result.expressions.map((e) => [e.name, e]));
    expect(byName['Has Active Sinusitis']).toMatchObject({ type: 'System.Boolean', isFunction: false });
    expect(byName['Active Acute Sinusitis']?.type).toBe('List<FHIR.Condition>');
    expect(byName['Is Active']?.isFunction).toBe(true);
  }, 60_000);

  it('reports a syntax error at the right line and an unknown identifier with its column', async () => {
    const cql = [
      "library Broken version '1.0.0'", // 1
      "using FHIR version '4.0.1'", // 2
      "include FHIRHelpers version '4.0.1'", // 3
      'context Patient', // 4
      'define "Ok": exists [Condition]', // 5
      'define "Unknown": NoSuchThing', // 6
      'define "Bad": (1 + ', // 7
      'define "After": true', // 8
    ].join('\n');
    const result = await translateCql(cql);
    expect(result.ok).toBe(false);
    expect(result.elm).toBeNull();
    const unknown = result.problems.find((p) => p.message.includes('NoSuchThing'));
    expect(unknown).toMatchObject({ severity: 'error', line: 6, column: 19 });
    const syntax = result.problems.find((p) => /syntax/i.test(p.message) || /extraneous|mismatched|missing/i.test(p.message));
    expect(syntax?.line).toBeGreaterThanOrEqual(7);
    expect(syntax?.line).toBeLessThanOrEqual(8);
  }, 60_000);

  it('an include of an unknown library is an error, not a crash', async () => {
    const result = await translateCql("library Inc version '1'\nusing FHIR version '4.0.1'\ninclude NoSuchLib version '9' called X\ndefine Y: 1");
    expect(result.ok).toBe(false);
    expect(result.problems.some((p) => p.line === 3)).toBe(true);
  }, 60_000);
});
