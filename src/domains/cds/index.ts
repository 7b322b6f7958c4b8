/**
 * The CDS Hooks / Da Vinci CRD domain's public surface (src/app and src/http import it only from here): the CDS
 * service, and the routes plugins (CDS Hooks at the server root, the studio API under /api/v1) with their deps.
 */
export { createCdsService, type CdsDeps, type CdsService } from './service.ts';
export { cdsApiRoutes, cdsHooksRoutes, type CdsApiRouteDeps, type CdsHooksRouteDeps } from './routes.ts';
