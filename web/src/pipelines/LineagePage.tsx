/**
 * Lineage of one node (`/pipelines/lineage?kind=&id=`): dataset version → run → model version → endpoint, upstream
 * (where it came from) and downstream (what was made from it), one column per kind in that order. Clicking a node
 * centres the view on it; runs and endpoints link to their pages.
 */
import { Anchor, Badge, Code, Group, Paper, SimpleGrid, Stack, Text, UnstyledButton } from '@mantine/core';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { lineagePath, useLineage, type LineageNode } from './api.ts';

const KINDS = ['dataset-version', 'run', 'model-version', 'endpoint'] as const;
const LABELS: Record<string, string> = { 'dataset-version': 'Dataset versions', run: 'Pipeline runs', 'model-version': 'Model versions', endpoint: 'Endpoints' };
type Direction = 'upstream' | 'self' | 'downstream';
const COLORS: Record<Direction, string> = { upstream: 'grape', self: 'blue', downstream: 'teal' };

function pageOf(n: LineageNode): string | null {
  if (n.kind === 'run') return `/pipelines/runs/${encodeURIComponent(n.id)}`;
  if (n.kind === 'endpoint') return `/endpoints/${encodeURIComponent(n.id)}`;
  return null;
}

function NodeCard({ node, direction }: { node: LineageNode; direction: Direction }) {
  const navigate = useNavigate();
  const page = pageOf(node);
  return (
    <Paper withBorder p="xs" radius="md" style={direction === 'self' ? { border: '2px solid var(--mantine-color-blue-6)' } : undefined} data-testid={`lineage-node-${node.kind}`} data-id={node.id} data-direction={direction}>
      <Stack gap={4}>
        <UnstyledButton onClick={() => void navigate(lineagePath(node.kind, node.id))} title="Show the lineage of this node">
          <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>{node.id}</Text>
        </UnstyledButton>
        <Group gap="xs">
          <Badge size="xs" variant="light" color={COLORS[direction]}>{direction === 'self' ? 'this' : direction}</Badge>
          {page && <Anchor component={Link} to={page} size="xs">open</Anchor>}
        </Group>
      </Stack>
    </Paper>
  );
}

export function LineagePage() {
  const [search] = useSearchParams();
  const kind = search.get('kind') ?? '';
  const id = search.get('id') ?? '';
  const lineage = useLineage(kind, id);
  const g = lineage.data;
  const all: Array<{ node: LineageNode; direction: Direction }> = g
    ? [...g.upstream.map((node) => ({ node, direction: 'upstream' as const })), { node: g.node, direction: 'self' as const }, ...g.downstream.map((node) => ({ node, direction: 'downstream' as const }))]
    : [];
  return (
    <Stack>
      <PageHeader title="Lineage" description={`${kind} ${id}: where it came from and what was made from it.`} crumb={{ to: '/pipelines', label: 'Pipelines', current: 'Lineage' }} />
      {lineage.error ? <ErrorAlert error={lineage.error} /> : null}
      {g && (
        <SimpleGrid cols={{ base: 1, sm: 4 }} data-testid="lineage-view">
          {KINDS.map((k) => (
            <Stack key={k} gap="xs" data-testid={`lineage-column-${k}`}>
              <Text fw={600} size="sm">{LABELS[k]}</Text>
              {all.filter((x) => x.node.kind === k).map((x) => <NodeCard key={`${x.direction}:${x.node.id}`} node={x.node} direction={x.direction} />)}
              {all.every((x) => x.node.kind !== k) && <Text size="sm" c="dimmed">none</Text>}
            </Stack>
          ))}
        </SimpleGrid>
      )}
      {g && g.edges.length > 0 && (
        <Paper withBorder p="xs">
          <Text size="sm" fw={600}>Edges</Text>
          <Code block data-testid="lineage-edges">{g.edges.map((e) => `${e.from.kind} ${e.from.id} → ${e.to.kind} ${e.to.id}  (run ${e.run})`).join('\n')}</Code>
        </Paper>
      )}
      {g && g.edges.length === 0 && <Text c="dimmed" data-testid="lineage-empty">No lineage recorded for this {kind}: lineage is written by pipeline runs.</Text>}
    </Stack>
  );
}
