import { lazy, Suspense } from 'react';
import { createTheme, Loader, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { isApiError } from './api/client.ts';
import { Shell } from './layout/Shell.tsx';
import { DatasetsPage } from './datasets/DatasetsPage.tsx';
import { JobsPage } from './jobs/JobsPage.tsx';
import { JobDetailPage } from './jobs/JobDetailPage.tsx';
import { ModelsPage } from './models/ModelsPage.tsx';
import { EndpointsPage } from './endpoints/EndpointsPage.tsx';
import { CreateClassifierPage } from './text/CreateClassifierPage.tsx';
import { NotFoundPage } from './layout/NotFoundPage.tsx';

// The dataset page carries the charting library: load it on first visit.
const DatasetPage = lazy(() => import('./datasets/DatasetPage.tsx').then((m) => ({ default: m.DatasetPage })));
const ModelPage = lazy(() => import('./models/ModelPage.tsx').then((m) => ({ default: m.ModelPage })));
const ComparePage = lazy(() => import('./models/compare/ComparePage.tsx').then((m) => ({ default: m.ComparePage })));
const EndpointPage = lazy(() => import('./endpoints/EndpointPage.tsx').then((m) => ({ default: m.EndpointPage })));
const ModelLatestRedirect = lazy(() => import('./models/ModelPage.tsx').then((m) => ({ default: m.ModelLatestRedirect })));
const LlmModelsPage = lazy(() => import('./llm/LlmModelsPage.tsx').then((m) => ({ default: m.LlmModelsPage })));
const PlaygroundPage = lazy(() => import('./llm/PlaygroundPage.tsx').then((m) => ({ default: m.PlaygroundPage })));
const SummarizePage = lazy(() => import('./summarize/SummarizePage.tsx').then((m) => ({ default: m.SummarizePage })));
const ImagesRoutes = lazy(() => import('./images/ImagesRoutes.tsx').then((m) => ({ default: m.ImagesRoutes })));
const FhirRoutes = lazy(() => import('./fhir/FhirRoutes.tsx').then((m) => ({ default: m.FhirRoutes })));
const RulesRoutes = lazy(() => import('./cql/RulesRoutes.tsx').then((m) => ({ default: m.RulesRoutes })));
const CdsRoutes = lazy(() => import('./cds/CdsRoutes.tsx').then((m) => ({ default: m.CdsRoutes })));
const PipelinesRoutes = lazy(() => import('./pipelines/PipelinesRoutes.tsx').then((m) => ({ default: m.PipelinesRoutes })));
const FinetuneRoutes = lazy(() => import('./finetune/FinetuneRoutes.tsx').then((m) => ({ default: m.FinetuneRoutes })));
const LabelingRoutes = lazy(() => import('./labeling/LabelingRoutes.tsx').then((m) => ({ default: m.LabelingRoutes })));
const EdgeRoutes = lazy(() => import('./edge/EdgeRoutes.tsx').then((m) => ({ default: m.EdgeRoutes })));
const DetectionRoutes = lazy(() => import('./detection/DetectionRoutes.tsx').then((m) => ({ default: m.DetectionRoutes })));

const theme = createTheme({
  primaryColor: 'teal',
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
  headings: { fontWeight: '650' },
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 2000,
      refetchOnWindowFocus: false,
      // Client errors (404, validation) will not fix themselves: do not retry them.
      retry: (count, err) => !(isApiError(err) && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Shell>
            <Suspense fallback={<Loader />}>
              <Routes>
                <Route path="/" element={<Navigate to="/datasets" replace />} />
                <Route path="/datasets" element={<DatasetsPage />} />
                <Route path="/datasets/:idOrName" element={<DatasetPage />} />
                <Route path="/jobs" element={<JobsPage />} />
                <Route path="/jobs/:id" element={<JobDetailPage />} />
                <Route path="/models" element={<ModelsPage />} />
                <Route path="/models/new" element={<CreateClassifierPage />} />
                <Route path="/models/:name" element={<ModelLatestRedirect />} />
                <Route path="/models/:name/compare" element={<ComparePage />} />
                <Route path="/models/:name/:version" element={<ModelPage />} />
                <Route path="/endpoints" element={<EndpointsPage />} />
                <Route path="/endpoints/:name" element={<EndpointPage />} />
                <Route path="/llm" element={<LlmModelsPage />} />
                <Route path="/llm/endpoints/:name" element={<PlaygroundPage />} />
                <Route path="/summarize" element={<SummarizePage />} />
                <Route path="/images/*" element={<ImagesRoutes />} />
                <Route path="/fhir/*" element={<FhirRoutes />} />
                <Route path="/rules/*" element={<RulesRoutes />} />
                <Route path="/cds/*" element={<CdsRoutes />} />
                <Route path="/pipelines/*" element={<PipelinesRoutes />} />
                <Route path="/finetune/*" element={<FinetuneRoutes />} />
                <Route path="/labeling/*" element={<LabelingRoutes />} />
                <Route path="/edge/*" element={<EdgeRoutes />} />
                <Route path="/detection/*" element={<DetectionRoutes />} />
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </Suspense>
          </Shell>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
