/**
 * The summarization domain's public surface (src/app and src/http import it only from here): the summarize
 * service (the `summarize.run` job, extractive or on an LLM endpoint) and the /api/v1/summarize routes plugin with
 * its dependencies.
 */
export { createSummarizeService, SUMMARIZE_JOB, type SummarizeDeps, type SummarizeService } from './service.ts';
export { summarizeRoutes, type SummarizeRouteDeps } from './routes.ts';
