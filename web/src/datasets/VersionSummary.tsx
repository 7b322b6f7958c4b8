import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import type { DatasetVersion } from '../api/types.ts';
import { formatBytes, formatDate, formatNumber } from '../components/format.ts';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { versionFileUrl } from './api.ts';

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={600} size="lg" data-testid={testId} component="div">
        {children}
      </Text>
    </Paper>
  );
}

/** Format, size, rows, status, checksum and file of one version. */
export function VersionSummary({ datasetName, version }: { datasetName: string; version: DatasetVersion }) {
  return (
    <Stack gap="sm" data-testid="version-summary">
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Stat label="Format" testId="summary-format">
          {version.format || '—'}
        </Stat>
        <Stat label="Rows" testId="summary-rows">
          {formatNumber(version.rowCount)}
        </Stat>
        <Stat label="Size" testId="summary-size">
          {formatBytes(version.sizeBytes)}
        </Stat>
        <Stat label="Status" testId="summary-status">
          <StatusBadge status={version.status} />
        </Stat>
      </SimpleGrid>
      <Group gap="lg" wrap="wrap">
        <Text size="sm" c="dimmed">
          File{' '}
          <Anchor href={versionFileUrl(datasetName, version.version)} size="sm" download={version.fileName}>
            {version.fileName || 'download'}
          </Anchor>
        </Text>
        <Text size="sm" c="dimmed">
          Imported {formatDate(version.createdAt)}
        </Text>
        <Tooltip label={version.sha256} openDelay={300}>
          <Text size="sm" c="dimmed" className="sb-mono" data-testid="summary-sha256">
            sha256 {version.sha256 ? `${version.sha256.slice(0, 16)}…` : '—'}
          </Text>
        </Tooltip>
      </Group>
    </Stack>
  );
}
