/**
 * `/models/:name/compare?versions=1,2`: 2–4 versions of one model side by side, as MLflow's run comparison —
 * parameters (differences highlighted), headline metrics with deltas against the first version, per-label F1 (table
 * and bars) and, for tuned text classifiers, their precision–recall curves overlaid.
 */
import type { ReactNode } from 'react';
import { Alert, Anchor, Breadcrumbs, Loader, MultiSelect, Stack, Text, Title } from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useModelVersions } from '../api.ts';
import { kindLabel, modelPageFor } from '../kinds.ts';
import { defaultVersions, MAX_COMPARE, parseVersions } from './compare.ts';
import { LabelF1Chart, PrCurvesCompare } from './CompareCharts.tsx';
import { LabelsCompareTable, MetricsCompareTable, ParamsTable } from './CompareTables.tsx';

function Section({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <Stack gap="sm" data-testid={testId}>
      <Title order={4}>{title}</Title>
      {children}
    </Stack>
  );
}

export function ComparePage() {
  const { name = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const { data, error, isPending } = useModelVersions(name);
  if (isPending) return <Loader />;
  if (error || !data) return <ErrorAlert error={error ?? new Error('Not found')} title={`Cannot load model “${name}”`} />;

  const all = [...data.versions].sort((a, b) => a.version - b.version);
  const asked = parseVersions(search.get('versions'));
  const chosen = asked.length > 0 ? asked : defaultVersions(all);
  const missing = chosen.filter((v) => !all.some((m) => m.version === v));
  const versions = chosen.flatMap((v) => all.filter((m) => m.version === v));
  const pick = (values: string[]) => setSearch({ versions: values.join(',') }, { replace: true });

  return (
    <Stack gap="xl" data-testid="compare-page" data-model={name} data-versions={versions.map((v) => v.version).join(',')}>
      <div>
        <Breadcrumbs mb="xs">
          <Anchor component={Link} to="/models" size="sm">
            Models
          </Anchor>
          {versions[0] && (
            <Anchor component={Link} to={modelPageFor(versions[0])} size="sm">
              {name}
            </Anchor>
          )}
          <Text size="sm">Compare</Text>
        </Breadcrumbs>
        <PageHeader title={`Compare ${name}`} description={`${kindLabel(all[0]?.kind)} · ${all.length} version${all.length === 1 ? '' : 's'} · the first picked is the baseline of the deltas`} />
      </div>
      <MultiSelect
        label="Versions"
        data={all.map((m) => ({ value: String(m.version), label: `v${m.version} · ${m.status}` }))}
        value={versions.map((v) => String(v.version))}
        onChange={pick}
        maxValues={MAX_COMPARE}
        w={460}
        data-testid="compare-versions"
      />
      {missing.length > 0 && (
        <Alert color="yellow" variant="light" data-testid="compare-missing">
          {name} has no version {missing.join(', ')}; pick from {all.map((m) => m.version).join(', ')}.
        </Alert>
      )}
      {versions.length < 2 ? (
        <Text c="dimmed" data-testid="compare-pick-more">
          Pick at least two versions (up to {MAX_COMPARE}) to compare.
        </Text>
      ) : (
        <>
          <Section title="Metrics" testId="compare-metrics-section">
            <MetricsCompareTable versions={versions} />
          </Section>
          <Section title="Per label" testId="compare-labels-section">
            <LabelsCompareTable versions={versions} />
            <LabelF1Chart versions={versions} />
          </Section>
          <Section title="Precision–recall curves" testId="compare-pr-section">
            <PrCurvesCompare versions={versions} />
          </Section>
          <Section title="Parameters" testId="compare-params-section">
            <ParamsTable versions={versions} />
          </Section>
        </>
      )}
    </Stack>
  );
}
