/** What summarization needs from the rest of the app (shared by the service and the job, so neither imports the other). */
import type { Logger } from '../../core/logger.ts';
import type { JobQueue } from '../../jobs/types.ts';
import type { ArtifactStore } from '../../storage/artifacts/types.ts';
import type { DatasetService } from '../datasets/service.ts';
import type { LlmProvider } from '../llm/types.ts';

export interface SummarizeDeps {
  logger: Logger;
  artifacts: ArtifactStore;
  queue: JobQueue;
  datasets: DatasetService;
  /** LLM endpoints (absent in builds without them): needed only for engine {endpoint}. */
  llm?: LlmProvider;
}
