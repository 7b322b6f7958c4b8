/** The CapabilityStatement served at /fhir/R4/metadata, generated from what the store actually indexes. */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { SEARCH_PARAMS } from './search.ts';
import { loadDefinitions } from './validate.ts';

export function capabilityStatement(baseUrl: string, version: string): CapabilityStatement {
  const interactions: CapabilityStatementRestResource['interaction'] = ['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type'].map((code) => ({
    code: code as NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'],
  }));
  const resource: CapabilityStatementRestResource[] = [...loadDefinitions()].sort().map((type) => {
    const params = SEARCH_PARAMS[type] ?? {};
    const refs = Object.entries(params).filter(([, d]) => d.kind === 'reference').map(([p]) => `${type}:${p}`);
    return {
      type: type as CapabilityStatementRestResource['type'],
      interaction: interactions,
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      // Conditional update/delete are supported inside transaction Bundles only.
      conditionalUpdate: false,
      conditionalDelete: 'not-supported',
      ...(refs.length ? { searchInclude: ['*', ...refs] } : {}),
      searchParam: [
        { name: '_id', type: 'token' },
        { name: '_lastUpdated', type: 'date' },
        ...Object.entries(params).map(([name, d]) => ({ name, type: d.kind as 'token' })),
      ],
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Sagebrush FHIR store', version },
    implementation: { description: 'Sagebrush embedded FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Search supports _id, _lastUpdated, _count (default 100, max 1000), _offset, _sort (_id, _lastUpdated), _include, _revinclude, _total, _summary=count; ' +
          'modifiers :missing, :not (token), :exact and :contains (string). Unknown parameters are rejected (400), not ignored. ' +
          'Transactions are all-or-nothing; urn:uuid and conditional references are resolved.',
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }],
      },
    ],
  };
}
