/**
 * Edge fleets (issue 15): the fleets list and a fleet's page — its devices (model version, last seen, inference
 * rate, queue, feedback count, warnings) and its deployment history with the canary / promoted / rolled-back state
 * and the health figures that decided it. Refreshes every few seconds.
 */
import { Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Route, Routes, useParams } from 'react-router';
import { DataTable, Dimmed, RowLink, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatDate } from '../components/format.ts';
import { NotFoundPage } from '../layout/NotFoundPage.tsx';
import { ago, STATE_COLORS, useFleet, useFleets, type Deployment, type DeviceStatus, type Fleet } from './api.ts';

const fleetColumns: ReadonlyArray<Column<Fleet>> = [
  { header: 'Fleet', cell: (f) => <RowLink to={`/edge/${encodeURIComponent(f.name)}`} data-testid="fleet-link">{f.name}</RowLink> },
  { header: 'Feedback below', cell: (f) => f.feedbackThreshold, numeric: true },
  { header: 'Canary share', cell: (f) => f.canaryShare, numeric: true },
  { header: 'Feedback dataset', cell: (f) => f.feedbackDataset },
];

function FleetsPage() {
  const q = useFleets();
  return (
    <>
      <PageHeader title="Edge fleets" description="Devices running detectors offline-first; create fleets and devices with `sagebrush edge`." />
      <DataTable query={q} columns={fleetColumns} rowKey={(f) => f.id} href={(f) => `/edge/${encodeURIComponent(f.name)}`} empty={<Text c="dimmed">No fleets yet: `sagebrush edge fleets create NAME`.</Text>} />
    </>
  );
}

export const deviceColumns: ReadonlyArray<Column<DeviceStatus>> = [
  { header: 'Device', cell: (d) => <Group gap={6}>{d.name}{d.revoked && <Badge color="red" variant="light">revoked</Badge>}</Group> },
  { header: 'Model', cell: (d) => d.model ?? <Dimmed>none</Dimmed>, td: () => ({ 'data-testid': 'device-model' }) },
  { header: 'Last seen', cell: (d) => ago(d.lastSeenAt) },
  { header: 'Images/s', cell: (d) => (d.inferenceRate === null ? '—' : d.inferenceRate.toFixed(2)), numeric: true },
  { header: 'Queue', cell: (d) => d.queueDepth ?? '—', numeric: true },
  { header: 'Results', cell: (d) => d.results, numeric: true },
  { header: 'Feedback', cell: (d) => d.feedback, numeric: true, td: () => ({ 'data-testid': 'device-feedback' }) },
  { header: 'Warnings', cell: (d) => [...(d.modelError ? [`${d.modelError.code}`] : []), ...d.warnings].join('; ') || <Dimmed>—</Dimmed> },
];

function healthText(d: Deployment): string {
  const h = d.health;
  if (!h) return '';
  const parts = [`${h.samples} samples`];
  if (h.errorRate !== null) parts.push(`errors ${(h.errorRate * 100).toFixed(1)} %`);
  if (h.latencyP95Ms !== null) parts.push(`p95 ${h.latencyP95Ms.toFixed(1)} ms`);
  return parts.join(', ');
}

export const deploymentColumns: ReadonlyArray<Column<Deployment>> = [
  { header: 'Model', cell: (d) => d.model },
  { header: 'State', cell: (d) => <Badge color={STATE_COLORS[d.state]} variant="light" data-testid="deployment-state">{d.state.replace('_', ' ')}</Badge> },
  { header: 'Canary devices', cell: (d) => (d.canaryDevices.length ? `${d.canaryDevices.length} (${Math.round(d.canaryShare * 100)} %)` : '—'), numeric: true },
  { header: 'Health', cell: (d) => healthText(d) || <Dimmed>—</Dimmed> },
  { header: 'Reason', cell: (d) => d.reason ?? <Dimmed>waiting for samples</Dimmed> },
  { header: 'Deployed', cell: (d) => <Dimmed>{formatDate(d.createdAt)} by {d.createdBy}</Dimmed> },
];

function FleetPage() {
  const { name = '' } = useParams();
  const q = useFleet(name);
  if (q.error) return <ErrorAlert error={q.error} title={`Fleet ${name}`} />;
  const s = q.data;
  return (
    <>
      <PageHeader title={name} crumb={{ to: '/edge', label: 'Edge fleets', current: name }} description={s ? `Stable version ${s.stableModel ?? 'none yet'} · feedback below ${s.fleet.feedbackThreshold} goes to the labeling inbox of ${s.fleet.feedbackDataset}` : undefined} />
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {[['Results', s?.totals.results], ['Feedback images', s?.totals.feedback], ['Inference errors', s?.totals.errors]].map(([label, value]) => (
            <Paper key={String(label)} withBorder p="md">
              <Text size="sm" c="dimmed">{label}</Text>
              <Text size="xl" fw={650} data-testid={`total-${String(label).toLowerCase().replace(/ /g, '-')}`}>{value ?? '—'}</Text>
            </Paper>
          ))}
        </SimpleGrid>
        <Title order={3}>Devices</Title>
        <DataTable rows={s?.devices} loading={q.isPending} columns={deviceColumns} rowKey={(d) => d.name} data-testid="devices" empty={<Text c="dimmed">No devices: `sagebrush edge devices register NAME --fleet {name}`.</Text>} />
        <Title order={3}>Deployment history</Title>
        <DataTable rows={s?.deployments} loading={q.isPending} columns={deploymentColumns} rowKey={(d) => d.id} data-testid="deployments" empty={<Text c="dimmed">Nothing deployed: `sagebrush edge deploy MODEL@VERSION --fleet {name}`.</Text>} />
      </Stack>
    </>
  );
}

export function EdgeRoutes() {
  return (
    <Routes>
      <Route index element={<FleetsPage />} />
      <Route path=":name" element={<FleetPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
