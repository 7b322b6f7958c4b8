import type { ReactNode } from 'react';
import { Alert, Badge, Button, Group, Loader, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
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
import { datasetHints, toCheckRequest, valuesFromHints } from '../text/form.ts';
import { TrainingCheckPanel, trainBlockReason } from '../text/TrainingCheckPanel.tsx';
import { useTrainingCheck } from '../models/api.ts';

const TEXT_FORMATS = ['csv', 'jsonl'];

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
        No problems found in the file: every row was read. Whether it is enough to train on is checked below.
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
  // Text datasets: training's data rules with the mode and format the data suggests, before anyone presses Train.
  const textReady = Boolean(dataset && version && version.status === 'ready' && TEXT_FORMATS.includes(version.format));
  const hints = textReady ? datasetHints(version!.schema, version!.stats) : null;
  const check = useTrainingCheck(hints ? toCheckRequest(valuesFromHints(dataset!.name, version!.version, hints)) : null);
  const blocked = textReady ? trainBlockReason(check.data, check.error) : version && version.status === 'ready' && !TEXT_FORMATS.includes(version.format) ? `A ${version.format} dataset cannot train a text classifier (CSV or JSON Lines can).` : null;

  if (isPending) return <Loader />;
  if (error || !dataset) return <ErrorAlert error={error ?? new Error('Not found')} title={`Cannot load dataset “${idOrName}”`} />;

  return (
    <Stack gap="xl" data-testid="dataset-page">
      <PageHeader
        crumb={{ to: '/datasets', label: 'Datasets', current: dataset.name }}
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
            <Tooltip label={blocked} disabled={!blocked} multiline w={320}>
              <span data-testid="dataset-train-reason" data-reason={blocked ?? ''}>
                <Button
                  component={Link}
                  to={`/models/new?dataset=${encodeURIComponent(dataset.name)}${selectedNo ? `&version=${selectedNo}` : ''}`}
                  disabled={!version || version.status !== 'ready' || Boolean(blocked)}
                  data-testid="dataset-train-classifier"
                >
                  Train a text classifier
                </Button>
              </span>
            </Tooltip>
            <DeleteDatasetButton idOrName={dataset.id} name={dataset.name} versions={versions.length} />
          </>
        }
      />
      {versionError && <ErrorAlert error={versionError} title="Cannot load this version" />}
      {!version && <Text c="dimmed">This dataset has no versions.</Text>}
      {version && (
        <>
          <VersionSummary datasetName={dataset.id} version={version} />
          <Section title="Validation report" testId="validation-report">
            <ValidationReport version={version} />
          </Section>
          {textReady && hints && (
            <Section title="Ready to train?" testId="dataset-training-check-section" extra={<Text size="sm" c="dimmed">{`training's data rules for a ${hints.mode} text classifier`}</Text>}>
              <TrainingCheckPanel check={check.data} error={check.error} pending={check.isPending} testId="dataset-training-check" />
            </Section>
          )}
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
