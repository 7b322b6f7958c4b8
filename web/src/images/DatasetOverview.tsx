/** Wizard step 2: per-label counts (chart), warnings, thumbnails per label, and the label/group columns of a manifest. */
import { Badge, Group, Loader, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { Problem } from '../api/types.ts';
import { BarChart } from '../components/BarChart.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatNumber } from '../components/format.ts';
import { ProblemList } from '../components/ProblemList.tsx';
import { thumbnailUrl, useImageItems, type ImageDatasetSummary } from './api.ts';
import { AuthImage } from './parts.tsx';
import { labelCountWarnings } from './read.ts';

const THUMBS_PER_LABEL = 8;

function LabelThumbnails({ ds, datasetId, version, label, count, labelColumn }: { ds: string; datasetId?: string; version: number; label: string; count: number; labelColumn: string }) {
  const { data, error, isPending } = useImageItems(ds, version, label, THUMBS_PER_LABEL, labelColumn);
  return (
    <Stack gap={4} data-testid="images-thumb-label" data-label={label}>
      <Group gap="xs">
        <Text fw={600} size="sm">
          {label}
        </Text>
        <Badge size="sm" variant="light" color={count < 25 ? 'yellow' : 'teal'}>
          {formatNumber(count)}
        </Badge>
      </Group>
      {isPending && <Loader size="xs" />}
      {error && <ErrorAlert error={error} title={`Cannot list the ${label} images`} />}
      <Group gap={6}>
        {(data?.items ?? []).map((it) => (
          <div key={it.index} title={`${it.path}${it.group ? ` · group ${it.group}` : ''}`}>
            <AuthImage
              src={thumbnailUrl(datasetId ?? ds, version, it.index)}
              alt={it.path}
              style={{ width: 72, height: 54, objectFit: 'cover', borderRadius: 4, display: 'block' }}
              data-testid="images-thumb"
            />
          </div>
        ))}
      </Group>
    </Stack>
  );
}

interface Props {
  ds: string;
  /** When known, thumbnails are asked for by id (an immutable URL) rather than by name. */
  datasetId?: string;
  version: number;
  summary: ImageDatasetSummary | undefined;
  summaryError: unknown;
  labelColumn: string;
  groupColumn: string;
  onLabelColumn: (c: string) => void;
  onGroupColumn: (c: string) => void;
  disabled: boolean;
}

export function DatasetOverview({ ds, datasetId, version, summary, summaryError, labelColumn, groupColumn, onLabelColumn, onGroupColumn, disabled }: Props) {
  if (summaryError) return <ErrorAlert error={summaryError} title="Cannot read the images of this dataset" />;
  if (!summary) return <Loader size="sm" />;
  const serverProblems: Problem[] = (summary.problems ?? []).map((p) => ({ ...p, severity: p.severity ?? 'warning' }));
  const problems = [...serverProblems, ...labelCountWarnings(summary.labels, serverProblems)];
  const columns = summary.columns ?? [];
  const hasManifest = columns.length > 0;
  return (
    <Stack gap="md" data-testid="images-overview">
      <Text size="sm" data-testid="images-count">
        <b>{formatNumber(summary.imageCount)}</b> images in <b>{summary.labels.length}</b> labels
      </Text>
      {hasManifest && (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Label column"
            description="Which manifest column holds the class (or the folder names)."
            data={[{ value: '', label: 'Folder name' }, ...columns.map((c) => ({ value: c, label: c }))]}
            value={labelColumn}
            onChange={(v) => onLabelColumn(v ?? '')}
            allowDeselect={false}
            disabled={disabled}
            data-testid="images-label-column"
          />
          <Select
            label="Group column"
            description="Images of one lesion or patient stay on the same side of every split; otherwise near-duplicates leak into the test set and the accuracy looks better than it is."
            data={[{ value: '', label: 'None — split images independently' }, ...columns.map((c) => ({ value: c, label: c }))]}
            value={groupColumn}
            onChange={(v) => onGroupColumn(v ?? '')}
            allowDeselect={false}
            disabled={disabled}
            data-testid="images-group-column"
          />
        </SimpleGrid>
      )}
      {!hasManifest && (
        <Text size="xs" c="dimmed">
          Label folders only: add a CSV manifest with a group column (lesion, patient) to keep related images together in the evaluation.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Paper withBorder p="sm" radius="md">
          <Title order={6} mb="xs">
            Images per label
          </Title>
          <BarChart data={summary.labels.map((l) => ({ label: l.label, value: l.count }))} valueLabel="images" data-testid="images-label-chart" />
        </Paper>
        <Stack gap="xs">
          <Title order={6}>Checks</Title>
          {problems.length > 0 ? (
            <ProblemList problems={problems} data-testid="images-warnings" />
          ) : (
            <Text size="sm" c="dimmed" data-testid="images-no-warnings">
              Every label has enough images.
            </Text>
          )}
          {summary.labels.some((l) => typeof l.groups === 'number') && (
            <Text size="xs" c="dimmed" data-testid="images-groups">
              Groups per label: {summary.labels.map((l) => `${l.label} ${l.groups ?? '—'}`).join(' · ')}
            </Text>
          )}
        </Stack>
      </SimpleGrid>
      <Stack gap="sm" data-testid="images-thumbnails">
        <Title order={6}>Samples</Title>
        <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="md">
          {summary.labels.map((l) => (
            <LabelThumbnails key={l.label} ds={ds} datasetId={datasetId} version={version} label={l.label} count={l.count} labelColumn={labelColumn} />
          ))}
        </SimpleGrid>
      </Stack>
    </Stack>
  );
}
