/**
 * Domain services, created once per process with explicit dependencies; each registers the job
 * handlers it owns on the queue. New domains add themselves here.
 */
import { resolve } from 'node:path';
import { createDatasetService, type DatasetService } from '../domains/datasets/index.ts';
import type { EndpointService } from '../domains/endpoints/index.ts';
import type { ModelKindRegistry, ModelService } from '../domains/models/index.ts';
import { createTextService, textClassifierKind, type TextService } from '../domains/text/index.ts';
import { createLlmService, llmKind, type LlmService } from '../domains/llm/index.ts';
import { createTextQualityService, type TextQualityService } from '../domains/quality/index.ts';
import { createSummarizeService, type SummarizeService } from '../domains/summarize/index.ts';
import { createCdsService, type CdsService } from '../domains/cds/index.ts';
import { createFhirService, createRemoteFhirSource, type FhirService } from '../domains/fhir/index.ts';
import { createRuleEngine, type RuleService } from '../domains/cql/index.ts';
import { createImagesService, imageClassifierKind, type ImagesService } from '../domains/images/index.ts';
import { createFeatureService, openOnlineStore, type FeatureService } from '../domains/features/index.ts';
import { createDetectionDatasetService, createDetectionService, detectorKind, type DetectionDatasetService, type DetectionService } from '../domains/detection/index.ts';
import type { ModelRegistry } from '../domains/models/index.ts';
import type { WebhookService } from '../domains/webhooks/index.ts';
import { createPipelineService, type PipelineService } from '../domains/pipelines/index.ts';
import { createFinetuneService, finetuneCatalog, finetuneSources, type FinetuneService } from '../domains/finetune/index.ts';
import { pipelineRegistryPort, pipelineScriptsDir } from './pipelinePorts.ts';
import { createEdgeService, type EdgeService } from '../domains/edge/index.ts';
import { createLabelingService, feedbackInbox, labelFeatures, type LabelingService } from '../domains/labeling/index.ts';
import { approvedDetectorPrelabeler } from './labelingPorts.ts';
import { createModelLifecycle, type Deps } from './modelServices.ts';

export type { Deps } from './modelServices.ts';

export interface Services {
  datasets: DatasetService;
  models: ModelService;
  /** The model-kind table: kind → runtime, invocation routes (text-classifier, image-classifier, llm). */
  kinds: ModelKindRegistry;
  text: TextService;
  textQuality: TextQualityService;
  endpoints: EndpointService;
  /** LLM endpoints (C4/C5); implements LlmProvider: `llm.handle(endpointName)`. */
  llm: LlmService;
  /** Long-document summarization (C6): extractive, or map-reduce / refine on an LLM endpoint. */
  summarize: SummarizeService;
  /** Image classification (C3): builds, metrics, prediction, batch, ONNX export. */
  images: ImagesService;
  /** CDS Hooks 2.0 + Da Vinci CRD (C7): hook calls, feedback, audit log, sandbox requests. */
  cds: CdsService;
  /** Embedded FHIR R4 store (C7): REST at /fhir/R4, Synthea import, patient data for the CDS rules. */
  fhir: FhirService;
  /** CQL payer rules (C7): RuleEngine (evaluateOrder, patientView) + the rule catalog and policy table. */
  rules: RuleService;
  /** Feature store (C8): feature groups, offline history + online latest, point-in-time retrieval. */
  features: FeatureService;
  /** Detection datasets (issue 15): images in the artifact store, labels in the feature group image_labels. */
  detectionDatasets: DetectionDatasetService;
  /** Object detection (issue 15): detector training jobs, predict/draw, the `detector` model kind. */
  detection: DetectionService;
  /** Model-registry governance (C8): approvals, aliases, tags, model cards, deploy-on-approval. */
  registry: ModelRegistry;
  /** Webhooks (C8): signed POSTs for registry events, a durable outbox and a delivery log. */
  webhooks: WebhookService;
  /** Pipelines (C8): versioned definitions, durable runs on the job queue, step caching, lineage. */
  pipelines: PipelineService;
  /** LLM fine-tuning (issue 16): runs on torchrun or Slurm, metrics, checkpoints, export → catalog → endpoint. */
  finetune: FinetuneService;
  /** Edge (issue 15): fleets, device tokens, deployments with canary/rollback, results and feedback from agents. */
  edge: EdgeService;
  /** Labeling and verification (issue 15): jobs for named labelers, saves to image_labels, the feedback inbox. */
  labeling: LabelingService;
  /** Evicts a model from this process's caches (its decision rule changed in another thread). */
  modelChanged(modelId: string): Promise<void>;
  close(): Promise<void>;
}

export function createServices(deps: Deps): Services {
  const datasets = createDatasetService(deps);
  // Models, the kind table (filled below, one entry per serving domain), endpoints, webhooks and the registry.
  const { models, kinds, endpoints, webhooks, registry } = createModelLifecycle(deps);
  const text = createTextService({ ...deps, datasets, models });
  const onChanged = deps.onModelChanged;
  const textForQuality = onChanged ? { ...text, reload: async (id: string) => { await text.reload(id); onChanged(id); } } : text;
  const textQuality = createTextQualityService({ ...deps, datasets, models, text: textForQuality });
  const llm = createLlmService({ models, artifacts: deps.artifacts, logger: deps.logger, maxUploadBytes: deps.config.maxUploadBytes, endpoints });
  const images = createImagesService({ ...deps, datasets, models });
  kinds.register(textClassifierKind(text)).register(imageClassifierKind(images, { maxUploadBytes: deps.config.maxUploadBytes })).register(llmKind(llm));
  const summarize = createSummarizeService({ logger: deps.logger, artifacts: deps.artifacts, queue: deps.queue, datasets, llm });
  // Reads patient data through the FHIR store and decides through the CQL rules (both looked up lazily).
  const fhir = createFhirService({ db: deps.db, logger: deps.logger, baseUrl: `${deps.config.cdsPublicUrl ?? `http://${deps.config.host === '0.0.0.0' ? 'localhost' : deps.config.host}:${deps.config.port}`}/fhir/R4` });
  // Rule tests by patientId read the patient's Bundle from the FHIR store.
  const rules = createRuleEngine({ db: deps.db, logger: deps.logger, fhir, threads: deps.config.cqlThreads, maxQueue: deps.config.cqlQueue });
  const cds = createCdsService({ db: deps.db, logger: deps.logger, config: deps.config, fhir: () => fhir, rules: () => rules, remoteSource: createRemoteFhirSource });
  // The online store: the metadata DB's table, or Redis (SAGEBRUSH_FEATURES_ONLINE_URL), written after each offline commit.
  const features = createFeatureService({ db: deps.db, queue: deps.queue, datasets, logger: deps.logger, online: openOnlineStore(deps.db, deps.config.featuresOnlineUrl, deps.config.queuePrefix) });
  const detectionDatasets = createDetectionDatasetService({ db: deps.db, artifacts: deps.artifacts, features, maxArchiveBytes: deps.config.maxArchiveBytes });
  const detection = createDetectionService({ logger: deps.logger, artifacts: deps.artifacts, queue: deps.queue, models, datasets: detectionDatasets });
  kinds.register(detectorKind(detection, { maxUploadBytes: deps.config.maxUploadBytes }));
  const finetune = createFinetuneService({
    db: deps.db, queue: deps.queue, root: resolve(deps.config.dataDir, 'finetune'),
    sources: finetuneSources({ models, artifacts: deps.artifacts, datasets }), catalog: finetuneCatalog(llm, endpoints.deploy),
  });
  const pipelines = createPipelineService({
    db: deps.db, queue: deps.queue, logger: deps.logger, datasets, scriptsDir: pipelineScriptsDir(deps.config),
    registry: pipelineRegistryPort(models, registry), endpoints,
  });
  // Labeling jobs over the detection datasets; saves go to the feature store; pre-labels from the approved detector.
  const labeling = createLabelingService({ db: deps.db, datasets: detectionDatasets, features: labelFeatures(features), prelabeler: approvedDetectorPrelabeler(deps.db, detection) });
  // Feedback images go to the labeling inbox through edge's port.
  const edge = createEdgeService({ db: deps.db, artifacts: deps.artifacts, models, queue: deps.queue, inbox: () => feedbackInbox(labeling.inbox) });
  return {
    edge,
    labeling,
    cds,
    features,
    detectionDatasets,
    detection,
    registry,
    webhooks,
    pipelines,
    finetune,
    fhir,
    rules,
    datasets,
    models,
    kinds,
    text,
    textQuality,
    endpoints,
    llm,
    summarize,
    images,
    async modelChanged(modelId) {
      await text.reload(modelId);
      await images.reload(modelId);
    },
    async close() {
      await webhooks.stop();
      await features.close();
      await cds.close(); // writes the queued hook-call audit rows
      await rules.close();
      await images.close();
      await detection.close();
      await llm.close();
      await text.close();
    },
  };
}
