/**
 * The lean service set of the embedded CLI's text-classification and dataset commands (`sagebrush text train`, …):
 * datasets, the model lifecycle (modelServices.ts, wired as in the full set) and text classification — not the
 * other dozen domains and their libraries, which a one-shot `text train` would load and construct for nothing.
 * Its queue has only these domains' job handlers, so its worker claims only their job types and leaves any other
 * queued job to a process that has the full set (`sagebrush serve`/`worker`).
 */
import { createDatasetService, type DatasetService } from '../domains/datasets/index.ts';
import { createTextService, textClassifierKind, type TextService } from '../domains/text/index.ts';
import { createModelLifecycle, type Deps, type ModelLifecycle } from './modelServices.ts';

export interface TextServices extends ModelLifecycle {
  datasets: DatasetService;
  text: TextService;
  close(): Promise<void>;
}

export function createTextServices(deps: Deps): TextServices {
  const datasets = createDatasetService(deps);
  const lifecycle = createModelLifecycle(deps);
  const text = createTextService({ ...deps, datasets, models: lifecycle.models });
  lifecycle.kinds.register(textClassifierKind(text));
  return {
    ...lifecycle,
    datasets,
    text,
    async close() {
      await lifecycle.webhooks.stop();
      await text.close();
    },
  };
}
