import { useState, type ReactNode } from 'react';
import { Alert, Anchor, Group, Loader, Select, Stack, Tabs, Text, Title } from '@mantine/core';
import { Link, Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { NameVersionTitle, PageHeader } from '../components/PageHeader.tsx';
import { ProblemList } from '../components/ProblemList.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { modelPath, useMetricsFile, useModelVersion, useModelVersions } from './api.ts';
import { kindLabel, modelPageFor } from './kinds.ts';
import { DecisionBadge, useLiveRule } from './DecisionRule.tsx';
import { BatchPanel } from './BatchPanel.tsx';
import { ConfusionMatrix } from './ConfusionMatrix.tsx';
import { DeleteModelButton } from './DeleteModelButton.tsx';
import { DeployButton } from './Deploy.tsx';
import { OverallMetrics, PerLabelMetrics } from './MetricsTables.tsx';
import { ModelSummary } from './ModelSummary.tsx';
import { TryItPanel } from './TryItPanel.tsx';
import { ModelDeployTab } from './ModelDeployTab.tsx';
import { ApprovalPanel } from './ApprovalPanel.tsx';
import { ModelCardPanel } from './ModelCardPanel.tsx';
import { DatasetQuality } from '../quality/DatasetQuality.tsx';
import { TunePanel } from '../quality/TunePanel.tsx';

function Section({ title, children, testId, extra }: { title: string; children: ReactNode; testId?: string; extra?: ReactNode }) {
  return (
    <Stack gap="sm" data-testid={testId}>
      <Group gap="xs" align="baseline">
        <Title order={4}>{title}</Title>
        {extra}
      </Group>
      {children}
    </Stack>
  );
}

/** The page's tabs (`?tab=`), as on the image model page: the overview first, the rest for a ready version. */
const TABS = ['overview', 'confusion', 'tune', 'try', 'batch', 'deploy'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = { overview: 'Overview', confusion: 'Confusion matrix', tune: 'Tune & improve', try: 'Try it', batch: 'Batch analysis', deploy: 'Deploy' };

/** `/models/:name`: the newest version. */
export function ModelLatestRedirect() {
  const { name = '' } = useParams();
  const { data, error, isPending } = useModelVersions(name);
  if (isPending) return <Loader />;
  const newest = [...(data?.versions ?? [])].sort((a, b) => b.version - a.version)[0];
  if (error || !newest) return <ErrorAlert error={error ?? new Error(`Model “${name}” has no versions.`)} title={`Cannot load model “${name}”`} />;
  return <Navigate to={modelPageFor(newest)} replace />;
}

export function ModelPage() {
  const { name = '', version: v = '' } = useParams();
  const version = Number(v);
  const navigate = useNavigate();
  const { data: model, error, isPending } = useModelVersion(name, version);
  const { data: siblings } = useModelVersions(name);
  const { data: metricsFile, error: metricsError } = useMetricsFile(name, version, Boolean(model?.artifacts?.['metrics.json']));
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const rule = useLiveRule(model);
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab');

  if (isPending) return <Loader />;
  if (error || !model) return <ErrorAlert error={error ?? new Error('Not found')} title={`Cannot load model ${name}:${v}`} />;
  // This page is the text classifier's: other kinds open their own page.
  if (model.kind !== 'text-classifier' && modelPageFor(model) !== modelPath(model.name, model.version)) return <Navigate to={modelPageFor(model)} replace />;

  const metrics = { ...(model.metrics ?? {}), ...(metricsFile ?? {}) };
  const labels = model.params?.labels ?? metrics.labels ?? [];
  const warnings = (model.meta?.warnings ?? []).map((w) => ({ ...w, severity: w.severity ?? ('warning' as const) }));
  const versions = [...(siblings?.versions ?? [])].sort((a, b) => b.version - a.version);
  const ready = model.status === 'ready';
  const tab: Tab = (TABS as readonly string[]).includes(tabParam ?? '') && (ready || tabParam === 'confusion') ? (tabParam as Tab) : 'overview';
  const openTab = (t: string | null) => {
    const next = new URLSearchParams(params);
    if (!t || t === 'overview') next.delete('tab');
    else next.set('tab', t);
    setParams(next, { replace: true });
  };
  /** A new endpoint (from the header button or the Deploy tab) opens "Try it" on it. */
  const tryDeployed = (ep: { name: string }) => {
    setEndpoint(ep.name);
    openTab('try');
  };

  return (
    <Stack gap="xl" data-testid="model-page" data-model={`${model.name}:${model.version}`}>
      <PageHeader
        crumb={{ to: '/models', label: 'Models', current: model.name }}
        title={
          <Group gap="sm">
            <NameVersionTitle name={model.name} version={model.version} data-testid="model-name" />
            <StatusBadge status={model.status} data-testid="model-status" />
          </Group>
        }
        description={kindLabel(model.kind)}
        actions={
          <>
            {versions.length > 1 && (
              <Select
                aria-label="Version"
                data={versions.map((m) => ({ value: String(m.version), label: `Version ${m.version}${m === versions[0] ? ' (latest)' : ''}` }))}
                value={String(model.version)}
                onChange={(nv) => nv && navigate(modelPath(model.name, Number(nv)))}
                allowDeselect={false}
                w={170}
                data-testid="model-version-select"
              />
            )}
            {versions.length > 1 && (
              <Anchor component={Link} to={`/models/${encodeURIComponent(model.name)}/compare?versions=${versions.find((o) => o.version !== model.version)?.version},${model.version}`} size="sm" data-testid="model-compare">
                Compare
              </Anchor>
            )}
            <Anchor component={Link} to={`/pipelines/lineage?kind=model-version&id=${encodeURIComponent(model.id)}`} size="sm" data-testid="model-lineage">
              Lineage
            </Anchor>
            <DeployButton
              model={model}
              onDeployed={tryDeployed}
            />
            <DeleteModelButton model={model} />
          </>
        }
      />
      {!ready && (
        <Alert color={model.status === 'failed' ? 'red' : 'blue'} variant="light">
          This version is {model.status}.{' '}
          {model.jobId && (
            <Anchor component={Link} to={`/jobs/${model.jobId}`} size="sm">
              Open its job
            </Anchor>
          )}
        </Alert>
      )}
      <Tabs value={tab} onChange={openTab} keepMounted={false} data-testid="model-tabs">
        <Tabs.List>
          {TABS.map((t) => (
            <Tabs.Tab key={t} value={t} disabled={!ready && t !== 'overview' && t !== 'confusion'} data-testid={`model-tab-${t}`}>
              {TAB_LABELS[t]}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <Stack gap="xl">
            <ModelSummary model={model} />
            <Section title="Approval" testId="model-approval" extra={<Text size="sm" c="dimmed">governance: who approved this version, when and why</Text>}>
              <ApprovalPanel model={model} />
            </Section>
            {warnings.length > 0 && (
              <Section title="Training warnings" testId="model-warnings">
                <ProblemList problems={warnings} data-testid="model-warning-list" />
              </Section>
            )}
            <Section
              title="Evaluation"
              testId="model-metrics"
              extra={
                <>
                  <Text size="sm" c="dimmed">
                    on {metrics.n_test?.toLocaleString('en-US') ?? 'the'} held-out test documents · live rule
                  </Text>
                  {rule && <DecisionBadge model={model} rule={rule} />}
                </>
              }
            >
              {rule && rule.source !== 'default' && (
                <Text size="sm" c="dimmed" data-testid="metrics-rule-note">
                  These figures were measured with the default rule ({rule.mode === 'multi-label' ? '@0.5' : 'top class'}) at training; endpoints and batch jobs now answer with the {rule.source === 'tuned' ? 'tuned' : 'edited'} rule — its figures are in the Tune tab.
                </Text>
              )}
              <OverallMetrics metrics={metrics} />
            </Section>
            <Section title="Per label" testId="model-per-label">
              <PerLabelMetrics metrics={metrics} labels={labels} />
            </Section>
            <Section title="Model card" testId="model-card-section">
              <ModelCardPanel model={model} />
            </Section>
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="confusion" pt="md">
          <Section title="Confusion matrix" testId="model-confusion">
            {metricsError ? (
              <ErrorAlert error={metricsError} title="Cannot load metrics.json" />
            ) : metrics.confusion_matrix ? (
              <ConfusionMatrix matrix={metrics.confusion_matrix} labels={labels} />
            ) : model.artifacts?.['metrics.json'] ? (
              <Loader size="sm" />
            ) : (
              <Text c="dimmed">This version has no metrics.json.</Text>
            )}
          </Section>
        </Tabs.Panel>
        {ready && (
          <>
            <Tabs.Panel value="tune" pt="md">
              <Stack gap="xl">
                <Section title="Tune thresholds" testId="model-tune" extra={<Text size="sm" c="dimmed">trade precision for recall, per label</Text>}>
                  <TunePanel model={model} />
                </Section>
                <DatasetQuality
                  model={model}
                  section={(title, testId, hint, sectionBody) => (
                    <Section title={title} testId={testId} extra={<Text size="sm" c="dimmed">{hint}</Text>}>
                      {sectionBody}
                    </Section>
                  )}
                />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="try" pt="md">
              <Section title="Try it" testId="model-try-it" extra={<Text size="sm" c="dimmed">real-time analysis</Text>}>
                <TryItPanel model={model} selected={endpoint} onSelect={setEndpoint} />
              </Section>
            </Tabs.Panel>
            <Tabs.Panel value="batch" pt="md">
              <Section title="Batch analysis" testId="model-batch" extra={<Text size="sm" c="dimmed">asynchronous, any size</Text>}>
                <BatchPanel model={model} />
              </Section>
            </Tabs.Panel>
            <Tabs.Panel value="deploy" pt="md">
              <Section title="Real-time endpoint" extra={<Text size="sm" c="dimmed">serve this version over HTTP</Text>}>
                <ModelDeployTab
                  model={model}
                  onDeployed={tryDeployed}
                />
              </Section>
            </Tabs.Panel>
          </>
        )}
      </Tabs>
    </Stack>
  );
}
