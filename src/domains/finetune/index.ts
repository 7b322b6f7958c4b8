/**
 * The fine-tuning domain's public surface (issue 16; src/app and src/http import it only from here): the service
 * (runs, uploads, metrics, checkpoints, export → catalog → endpoint), the `finetune.train` job, the launchers and
 * the /api/v1/finetune routes plugin with its dependencies.
 */
export { createFinetuneService, type FinetuneRunView, type FinetuneService, type FinetuneServiceDeps } from './service.ts';
export type { FinetuneSources } from './prepare.ts';
export type { FinetuneCatalog } from './export.ts';
export { FINETUNE_TRAIN_JOB, type TrainResult } from './jobs.ts';
export { finetuneSpecSchema, type FinetuneSpec, type FinetuneSpecInput } from './schema.ts';
export { finetuneRoutes, type FinetuneRouteDeps } from './routes.ts';
export * from './launchers/index.ts';
export { finetuneCatalog, finetuneSources } from './ports.ts';
