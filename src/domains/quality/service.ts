/**
 * Prediction quality for text classifiers: decision-rule tuning (`text.tune`), manual decision edits, the tuning
 * report, quality experiments (`text.sweep`, `text.learning-curve`), the noisy-label finder (`text.noisy-labels`)
 * and row edits of a dataset version. Long work runs as jobs; everything else is a direct call.
 */
import { AppError } from '../../core/errors.ts';
import type { Job } from '../../jobs/types.ts';
import type { ModelVersion } from '../models/service.ts';
import { svgToPng } from '../classifiers/png.ts';
import { parseWith } from '../../core/validate.ts';
import type { TextService } from '../text/service.ts';
import type { TextDeps } from '../text/deps.ts';
import { resetDecision, updateDecision, decisionView, type DecisionView } from './decision.ts';
import type { QualityDeps } from './deps.ts';
import { editDatasetVersion } from './edits.ts';
import { QUALITY_JOBS, qualityJobs } from './jobs.ts';
import {
  datasetEditsSchema, decisionUpdateSchema, learningCurveRequestSchema, noisyLabelsRequestSchema, checkTuneOptions, resolveObjective, sweepRequestSchema, tuneRequestSchema,
  type LearningCurveRequest, type NoisyLabelsRequest, type SweepRequest, type TuneRequest,
} from './schema.ts';
import { REPORT_ARTIFACTS } from './tune.ts';
import { checkCGrid } from './tuneC.ts';
import { checkStack } from './tuneStack.ts';

const CHART_JOBS = [QUALITY_JOBS.sweep, QUALITY_JOBS.learningCurve] as const;
const isChartJob = (type: string): type is (typeof CHART_JOBS)[number] => (CHART_JOBS as readonly string[]).includes(type);

export type ReportFormat = 'json' | 'html' | 'svg' | 'png';
export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8', html: 'text/html; charset=utf-8', svg: 'image/svg+xml', png: 'image/png',
};

export function createTextQualityService(base: TextDeps & { text: TextService }) {
  const deps: QualityDeps = { ...base, predictor: (id) => base.text.predictor(id), reload: (id) => base.text.reload(id), embed: (texts, o) => base.text.embed(texts, o) };
  const { queue } = deps;

  for (const job of qualityJobs(deps)) queue.register(job);

  const model = (name: string, version: number): Promise<ModelVersion> => base.text.requireTextModel(`${name}:${version}`);

  async function checkSource(req: { dataset: string; datasetVersion?: number; testDataset?: string; testDatasetVersion?: number }): Promise<void> {
    await deps.datasets.getVersion(req.dataset, req.datasetVersion ?? 'latest');
    if (req.testDataset) await deps.datasets.getVersion(req.testDataset, req.testDatasetVersion ?? 'latest');
  }

  return {
    async tune(name: string, version: number, input: unknown): Promise<{ job: Job }> {
      const req = parseWith<TuneRequest>(tuneRequestSchema, input ?? {});
      resolveObjective(req.objective, req.beta);
      checkTuneOptions(req);
      const m = await model(name, version);
      checkCGrid(m, req.cGrid);
      checkStack(m, req);
      return { job: await queue.enqueue(QUALITY_JOBS.tune, { ...req, modelId: m.id }) };
    },
    async getDecision(name: string, version: number): Promise<DecisionView> {
      return decisionView(await model(name, version));
    },
    async putDecision(name: string, version: number, input: unknown): Promise<DecisionView> {
      return updateDecision(deps, await model(name, version), parseWith(decisionUpdateSchema, input ?? {}));
    },
    async deleteDecision(name: string, version: number): Promise<DecisionView> {
      return resetDecision(deps, await model(name, version));
    },
    async tuningReport(name: string, version: number, format: ReportFormat): Promise<Buffer> {
      const m = await model(name, version);
      const artifact = format === 'json' ? REPORT_ARTIFACTS.json : format === 'html' ? REPORT_ARTIFACTS.html : REPORT_ARTIFACTS.svg;
      const key = m.artifacts[artifact];
      if (!key) {
        throw new AppError('TUNING_REPORT_NOT_FOUND', `Model ${m.name}:${m.version} has not been tuned yet.`, {
          problems: [{ field: 'version', problem: 'no tuning report', fix: `Tune it: POST /api/v1/text/models/${m.name}/versions/${m.version}/tune (CLI: sagebrush text tune ${m.name}:${m.version}).` }],
        });
      }
      const body = await deps.artifacts.get(key);
      return format === 'png' ? svgToPng(body) : body;
    },
    async sweep(input: unknown): Promise<{ job: Job }> {
      const req = parseWith<SweepRequest>(sweepRequestSchema, input);
      await checkSource(req);
      return { job: await queue.enqueue(QUALITY_JOBS.sweep, req) };
    },
    async learningCurve(input: unknown): Promise<{ job: Job }> {
      const req = parseWith<LearningCurveRequest>(learningCurveRequestSchema, input);
      await checkSource(req);
      return { job: await queue.enqueue(QUALITY_JOBS.learningCurve, req) };
    },
    async noisyLabels(input: unknown): Promise<{ job: Job }> {
      const req = parseWith<NoisyLabelsRequest>(noisyLabelsRequestSchema, input);
      await checkSource(req);
      return { job: await queue.enqueue(QUALITY_JOBS.noisyLabels, req) };
    },
    async experimentChart(jobId: string, format: 'svg' | 'png'): Promise<Buffer> {
      const job = await queue.get(jobId);
      if (!isChartJob(job.type)) throw new AppError('JOB_NOT_FOUND', `Job ${jobId} is a ${job.type} job, not a sweep or learning curve.`);
      const svg = Buffer.from((await queue.result(jobId, job.type)).chartSvg, 'utf8');
      return format === 'png' ? svgToPng(svg) : svg;
    },
    editDataset: (idOrName: string, version: number | 'latest', input: unknown) => editDatasetVersion(deps.datasets, idOrName, version, parseWith(datasetEditsSchema, input ?? {})),
  };
}

export type TextQualityService = ReturnType<typeof createTextQualityService>;
