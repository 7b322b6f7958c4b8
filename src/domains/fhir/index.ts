/**
 * The FHIR domain's public surface (src/app and src/http import it only from here): the embedded R4 store, the
 * remote FHIR source the CDS service reads through, and the routes plugins with their dependencies.
 */
export { createFhirService, type FhirDeps, type FhirService } from './service.ts';
export { createRemoteFhirSource, type RemoteFhirOptions } from './remote.ts';
export type { FhirDataSource } from './source.ts';
export { FHIR_PREFIX, fhirApiRoutes, fhirRoutes, type FhirApiRouteDeps, type FhirRouteDeps } from './routes.ts';
