/** /images/models/:name/:version — advanced metrics, then Predict, Batch, Deploy and Export tabs. */
import { Alert, Anchor, Badge, Group, Loader, Stack, Tabs, Text, Title } from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router';
import type { ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate } from '../components/format.ts';
import { NameVersionTitle, PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { DeleteModelButton } from '../models/DeleteModelButton.tsx';
import { ModelGovernance } from '../models/ModelGovernance.tsx';
import { AdvancedMetrics } from './AdvancedMetrics.tsx';
import { useImageModel } from './api.ts';
import { ImageBatchPanel, ImageDeployPanel, ImageExportPanel } from './BatchDeployExport.tsx';
import { buildOf } from './ImageModelsPage.tsx';
import { PredictPanel } from './PredictPanel.tsx';

const TABS = ['metrics', 'predict', 'batch', 'deploy', 'export', 'governance'] as const;
type Tab = (typeof TABS)[number];

/** The build job: image builds record it in meta (the version exists before its job). */
function buildJobId(m: ModelVersion): string | null {
  return m.jobId ?? (typeof m.meta?.jobId === 'string' ? m.meta.jobId : null);
}

export function ImageModelPage() {
  const { name = '', version: v = '' } = useParams();
  const version = Number(v);
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab');
  const tab: Tab = (TABS as readonly string[]).includes(tabParam ?? '') ? (tabParam as Tab) : 'metrics';
  const { data, error, isPending } = useImageModel(name, version);

  if (isPending) return <Loader />;
  if (error || !data) return <ErrorAlert error={error ?? new Error('Not found')} title={`Cannot load image model ${name}:${v}`} />;
  const { model, metrics, report } = data;
  const ready = model.status === 'ready';
  const metaLabels = Array.isArray(model.meta?.labels) ? (model.meta.labels as unknown[]).filter((l): l is string => typeof l === 'string') : null;
  const labels = model.params?.labels ?? metaLabels ?? metrics?.confusion_matrix?.labels ?? [];
  const build = report?.build ?? buildOf(model);
  // Which backbone layer the head uses; versions built before this was recorded used the 1,000 logits.
  const features = report?.features?.kind ?? (typeof model.meta?.features === 'string' ? model.meta.features : ready ? 'logits' : null);

  return (
    <Stack gap="lg" data-testid="images-model-page" data-model={`${model.name}:${model.version}`}>
      <PageHeader
        crumb={{ to: '/images', label: 'Images', current: model.name }}
        title={
          <Group gap="sm">
            <NameVersionTitle name={model.name} version={model.version} data-testid="images-model-name" />
            <StatusBadge status={model.status} data-testid="images-model-status" />
            {build && <Badge variant="light">{build} build</Badge>}
            {features && (
              <Badge variant="light" color="gray" data-testid="images-model-features" title="backbone layer the classifier was trained on">
                {features === 'pooled' ? 'pooled features (1,280)' : features === 'multilayer' ? 'multi-layer features (1,856)' : features === 'logits' ? 'logit features (1,000)' : `${features} features`}
              </Badge>
            )}
          </Group>
        }
        description={`Image classifier · ${labels.length} classes${labels.length ? ` (${labels.join(', ')})` : ''} · created ${formatDate(model.createdAt)}`}
        actions={<DeleteModelButton model={model} />}
      />
      {!ready && (
        <Alert color={model.status === 'failed' ? 'red' : model.status === 'cancelled' ? 'orange' : 'blue'} variant="light" data-testid="images-model-state">
          This version is {model.status}{model.status === 'cancelled' ? ': its build was stopped before it finished; build again to get a model' : ''}.{' '}
          {buildJobId(model) && (
            <Anchor component={Link} to={`/jobs/${buildJobId(model)}`} size="sm" data-testid="images-model-job">
              Open its job
            </Anchor>
          )}
        </Alert>
      )}
      <Tabs
        value={tab}
        onChange={(t) => {
          const next = new URLSearchParams(params);
          if (!t || t === 'metrics') next.delete('tab');
          else next.set('tab', t);
          setParams(next, { replace: true });
        }}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="metrics" data-testid="images-tab-metrics">
            Advanced metrics
          </Tabs.Tab>
          <Tabs.Tab value="predict" disabled={!ready} data-testid="images-tab-predict">
            Predict
          </Tabs.Tab>
          <Tabs.Tab value="batch" disabled={!ready} data-testid="images-tab-batch">
            Batch
          </Tabs.Tab>
          <Tabs.Tab value="deploy" disabled={!ready} data-testid="images-tab-deploy">
            Deploy
          </Tabs.Tab>
          <Tabs.Tab value="governance" data-testid="images-tab-governance">
            Governance
          </Tabs.Tab>
          <Tabs.Tab value="export" disabled={!ready} data-testid="images-tab-export">
            Export
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="metrics" pt="md">
          {metrics ? (
            <AdvancedMetrics metrics={metrics} report={report} labels={labels} />
          ) : (
            <Text c="dimmed">No metrics yet{ready ? '' : ': the build has not finished'}.</Text>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="predict" pt="md">
          <Title order={4} mb="sm">
            Predict one image
          </Title>
          <PredictPanel model={model} />
        </Tabs.Panel>
        <Tabs.Panel value="batch" pt="md">
          <Title order={4} mb="sm">
            Batch prediction
          </Title>
          <ImageBatchPanel model={model} />
        </Tabs.Panel>
        <Tabs.Panel value="deploy" pt="md">
          <Title order={4} mb="sm">
            Real-time endpoint
          </Title>
          <ImageDeployPanel model={model} />
        </Tabs.Panel>
        <Tabs.Panel value="export" pt="md">
          <Title order={4} mb="sm">
            Export
          </Title>
          <ImageExportPanel model={model} />
        </Tabs.Panel>
        <Tabs.Panel value="governance" pt="md">
          <ModelGovernance model={model} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
