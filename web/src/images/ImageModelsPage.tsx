import { Anchor, Badge, Button, Loader, Paper, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import type { ModelVersion } from '../api/types.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatMetric } from '../models/metrics.ts';
import { imageModelPath, useImageModels } from './api.ts';

/** The build kind, wherever the server keeps it (params, meta or the report in meta). */
export function buildOf(m: ModelVersion): string | null {
  const candidates = [m.params?.build, m.meta?.build, (m.meta?.report as { build?: unknown } | undefined)?.build];
  const b = candidates.find((c) => typeof c === 'string');
  return typeof b === 'string' ? b : null;
}

function metric(m: ModelVersion, key: string): unknown {
  return (m.metrics as Record<string, unknown> | null | undefined)?.[key];
}

/** /images: image classifiers in the registry. */
export function ImageModelsPage() {
  const { data, error, isPending } = useImageModels();
  const navigate = useNavigate();
  const newButton = (
    <Button component={Link} to="/images/new" data-testid="images-new">
      New image classifier
    </Button>
  );
  return (
    <>
      <PageHeader
        title="Image classification"
        description="No-code image classifiers like SageMaker Canvas: import a folder per label, quick or standard build, advanced metrics, single and batch prediction."
        actions={newButton}
      />
      {isPending && <Loader />}
      {error && <ErrorAlert error={error} title="Cannot load image models" />}
      {data && data.items.length === 0 && (
        <EmptyState title="No image classifiers yet" data-testid="images-empty">
          Upload a zip with one folder per label (or a CSV manifest), then{' '}
          <Anchor component={Link} to="/images/new">
            build an image classifier
          </Anchor>
          .
        </EmptyState>
      )}
      {data && data.items.length > 0 && (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={760}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="images-models-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Build</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Balanced accuracy</Table.Th>
                  <Table.Th ta="right">Macro F1</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((m) => {
                  const to = imageModelPath(m.name, m.version);
                  const build = buildOf(m);
                  return (
                    <Table.Tr key={m.id} data-testid="images-model-row" data-model={`${m.name}:${m.version}`} className="sb-row-link" onClick={() => navigate(to)}>
                      <Table.Td>
                        <Anchor component={Link} to={to} fw={600} onClick={(e) => e.stopPropagation()}>
                          {m.name}
                        </Anchor>
                        <Text span c="dimmed">
                          :{m.version}
                        </Text>
                      </Table.Td>
                      <Table.Td>{build ? <Badge variant="light" color={build === 'standard' ? 'indigo' : 'teal'}>{build}</Badge> : '—'}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={m.status} />
                      </Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        {formatMetric(metric(m, 'balanced_accuracy'))}
                      </Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        {formatMetric(metric(m, 'macro_f1'))}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {formatDate(m.createdAt)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
