import { Anchor, Badge, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { DatasetVersion, TextMode } from '../api/types.ts';
import { formatNumber } from '../components/format.ts';
import { datasetPath } from '../datasets/ImportProgress.tsx';
import type { DatasetHints } from './form.ts';

const MIN_DOCS: Record<TextMode, number> = { 'multi-class': 50, 'multi-label': 10 };
const SHOWN = 12;

/** Side panel: the chosen dataset version, its labels with counts, and Comprehend's minimums. */
export function DatasetInfo({ dataset, version, hints, mode }: { dataset: string; version: DatasetVersion | undefined; hints: DatasetHints | null; mode: TextMode }) {
  if (!dataset || !version) {
    return (
      <Paper withBorder p="lg" radius="md" data-testid="clf-dataset-info">
        <Title order={5} mb="xs">
          Training data
        </Title>
        <Text size="sm" c="dimmed">
          Choose a labelled dataset. Comprehend-style CSV (<code>label,text</code>, no header), Kaggle-style wide CSV, JSON Lines and Ground Truth augmented manifests work.{' '}
          <Anchor component={Link} to="/datasets" size="sm">
            Upload one
          </Anchor>{' '}
          first if needed.
        </Text>
      </Paper>
    );
  }
  const labels = hints?.labels ?? [];
  const max = Math.max(1, ...labels.map((l) => l.count));
  const min = MIN_DOCS[mode];
  const few = labels.filter((l) => l.count < min);
  return (
    <Paper withBorder p="lg" radius="md" data-testid="clf-dataset-info">
      <Stack gap="sm">
        <Title order={5}>
          <Anchor component={Link} to={datasetPath(dataset, version.version)} inherit>
            {dataset}
          </Anchor>{' '}
          <Text span c="dimmed" inherit>
            v{version.version}
          </Text>
        </Title>
        <Group gap="xs">
          <Badge variant="light">
            {formatNumber(version.rowCount)} row{version.rowCount === 1 ? '' : 's'}
          </Badge>
          <Badge variant="light" color="gray">
            {version.format}
          </Badge>
          {hints && (
            <Badge variant="light" color="indigo">
              looks {hints.mode}
            </Badge>
          )}
        </Group>
        {labels.length > 0 && (
          <Stack gap={6}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {labels.length} label{labels.length === 1 ? '' : 's'} · documents
            </Text>
            {labels.slice(0, SHOWN).map((l) => (
              <div key={l.label}>
                <Group justify="space-between" gap="xs" wrap="nowrap">
                  <Text size="sm" truncate>
                    {l.label}
                  </Text>
                  <Text size="xs" c={l.count < min ? 'red' : 'dimmed'}>
                    {formatNumber(l.count)}
                  </Text>
                </Group>
                <Progress value={(l.count / max) * 100} size="xs" color={l.count < min ? 'red' : 'teal'} />
              </div>
            ))}
            {labels.length > SHOWN && (
              <Text size="xs" c="dimmed">
                … and {labels.length - SHOWN} more
              </Text>
            )}
          </Stack>
        )}
        <Text size="xs" c={few.length > 0 ? 'red' : 'dimmed'}>
          {mode === 'multi-class' ? 'Multi-class training needs at least 50 documents per class.' : 'Multi-label training needs at least 10 documents per label and 50 in all.'}
          {few.length > 0 ? ` ${few.length} label${few.length === 1 ? ' has' : 's have'} fewer.` : ''}
        </Text>
      </Stack>
    </Paper>
  );
}
