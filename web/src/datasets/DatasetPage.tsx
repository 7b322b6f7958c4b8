import type { ReactNode } from 'react';
import { Alert, Anchor, Badge, Breadcrumbs, Button, Group, Loader, Select, Stack, Text, Title } from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router';
import { isVersionPending, type DatasetVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { ProblemList } from '../components/ProblemList.tsx';
import { useDataset, useDatasetVersion } from './api.ts';
import { DatasetCharts } from './DatasetCharts.tsx';
import { DeleteDatasetButton } from './DeleteDatasetButton.tsx';
import { PreviewTable } from './PreviewTable.tsx';
import { VersionSummary } from './VersionSummary.tsx';

function Section({ title, children, testId, extra }: { title: string; children: ReactNode; testId?: string; extra?: ReactNode }) {
  return (
    <Stack gap="sm" data-testid={testId}>
      <Group gap="xs">
        <Title order={4}>{title}</Title>
        {extra}
      </Group>
      {children}
    </Stack>
  );
}

function ValidationReport({ version }: { version: DatasetVersion }) {
  const problems = version.problems ?? [];
  if (isVersionPending(version.status)) return <Text c="dimmed">Validation runs during the import.</Text>;
  if (problems.length === 0) {
    return (
      <Alert color="teal" variant="light" data-testid="validation-ok">
        No problems found: every row passed validation.
      </Alert>
    );
  }
  return <ProblemList problems={problems} data-testid="validation-problems" />;
}

export function DatasetPage() {
  const { idOrName = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const { data: dataset, error, isPending } = useDataset(idOrName);
  const versions = [...(dataset?.versions ?? [])].sort((a, b) => b.version - a.version);
  const requested = Number(params.get('v'));
  const selectedNo = versions.some((v) => v.version === requested) ? requested : dataset?.latestVersion || versions[0]?.version || 0;
  const fromList = versions.find((v) => v.version === selectedNo);
  const { data: fetched, error: versionError } = useDatasetVersion(idOrName, selectedNo, Boolean(dataset) && !isVersionPending(fromList?.status));
  const version = fetched && fetched.status === fromList?.status ? fetched : (fromList ?? fetched);

  if (isPending) return <Loader />;
  if (error || !dataset) return <ErrorAlert error={error ?? new Error('Not found')} title={`Cannot load dataset “${idOrName}”`} />;

  return (
    <Stack gap="xl" data-testid="dataset-page">
      <div>
        <Breadcrumbs mb="xs">
          <Anchor component={Link} to="/datasets" size="sm">
            Datasets
          </Anchor>
          <Text size="sm">{dataset.name}</Text>
        </Breadcrumbs>
        <PageHeader
          title={
            <Group gap="sm">
              <span data-testid="dataset-name">{dataset.name}</span>
              {dataset.kind && <Badge variant="outline">{dataset.kind}</Badge>}
            </Group>
          }
          description={dataset.description || undefined}
          actions={
            <>
              <Select
                aria-label="Version"
                data={versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}${v.version === dataset.latestVersion ? ' (latest)' : ''}` }))}
                value={selectedNo ? String(selectedNo) : null}
                onChange={(v) => v && setParams({ v })}
                allowDeselect={false}
                w={180}
                data-testid="version-select"
              />
              <Button
                component={Link}
                to={`/models/new?dataset=${encodeURIComponent(dataset.name)}${selectedNo ? `&version=${selectedNo}` : ''}`}
                disabled={!version || version.status !== 'ready'}
                data-testid="dataset-train-classifier"
              >
                Train a text classifier
              </Button>
              <DeleteDatasetButton idOrName={dataset.id} name={dataset.name} versions={versions.length} />
            </>
          }
        />
      </div>
      {versionError && <ErrorAlert error={versionError} title="Cannot load this version" />}
      {!version && <Text c="dimmed">This dataset has no versions.</Text>}
      {version && (
        <>
          <VersionSummary datasetName={dataset.id} version={version} />
          <Section title="Validation report" testId="validation-report">
            <ValidationReport version={version} />
          </Section>
          <Section title="Statistics" testId="dataset-stats">
            {isVersionPending(version.status) ? <Text c="dimmed">Statistics appear once the import has finished.</Text> : <DatasetCharts stats={version.stats} />}
          </Section>
          <Section title="Preview" testId="dataset-preview">
            <PreviewTable key={version.version} idOrName={dataset.id} version={version.version} enabled={!isVersionPending(version.status)} />
          </Section>
        </>
      )}
    </Stack>
  );
}
