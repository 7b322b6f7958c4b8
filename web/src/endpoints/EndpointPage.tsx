/**
 * `/endpoints/:name`: one endpoint, as Comprehend's endpoint page — its model, and its invocation metrics over a
 * window (requests, errors, latency p50/p95/p99 as cards, and per-minute charts), refreshed every 5 s.
 */
import { useState, type ReactNode } from 'react';
import { Anchor, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate, formatNumber } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useEndpoints } from '../models/api.ts';
import { kindLabel, modelPageFor } from '../models/kinds.ts';
import { formatMs, METRICS_WINDOWS, useEndpointMetrics, type MetricsWindow } from './api.ts';
import { LatencyChart, RequestsChart } from './MetricsCharts.tsx';

function Card({ label, metric, children, hint }: { label: string; metric: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <Paper withBorder p="sm" radius="md" data-testid="endpoint-metric-card" data-metric={metric}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={650} size="xl" className="sb-num" data-testid="endpoint-metric-value">
        {children}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

export function EndpointPage() {
  const { name = '' } = useParams();
  const [range, setRange] = useState<MetricsWindow>('1h');
  const { data: endpoints } = useEndpoints();
  const endpoint = endpoints?.items.find((e) => e.name === name);
  const { data: metrics, error, isPending } = useEndpointMetrics(name, range);
  const s = metrics?.summary;

  return (
    <Stack gap="lg" data-testid="endpoint-page" data-endpoint={name}>
      <PageHeader
        crumb={{ to: '/endpoints', label: 'Endpoints', current: name }}
        title={
          <Group gap="sm">
            <span>{name}</span>
            {endpoint && <StatusBadge status={endpoint.status} />}
          </Group>
        }
        description={
          endpoint ? (
            <>
              {kindLabel(endpoint.kind)} · serves{' '}
              {endpoint.model ? (
                <Anchor component={Link} to={modelPageFor(endpoint.model)} size="sm">
                  {endpoint.model.name}:{endpoint.model.version}
                </Anchor>
              ) : (
                'a deleted model version'
              )}{' '}
              · created {formatDate(endpoint.createdAt)}
            </>
          ) : undefined
        }
      />
      <Group justify="space-between" align="end">
        <Title order={4}>Invocation metrics</Title>
        <SegmentedControl size="xs" data={[...METRICS_WINDOWS]} value={range} onChange={(v) => setRange(v as MetricsWindow)} data-testid="endpoint-metrics-window" />
      </Group>
      {isPending && <Loader />}
      {error && <ErrorAlert error={error} title={`Cannot load the metrics of ${name}`} />}
      {metrics && s && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="sm" data-testid="endpoint-metric-cards" data-window={metrics.window} data-requests={s.requests} data-errors={s.errors}>
            <Card label="Requests" metric="requests" hint={`${formatNumber(metrics.lifetime.requests)} since recording began`}>
              {formatNumber(s.requests)}
            </Card>
            <Card label="Errors" metric="errors" hint={s.errorRate === null ? 'no requests' : `${(s.errorRate * 100).toFixed(1)} % · ${s.clientErrors} 4xx · ${s.serverErrors} 5xx`}>
              {formatNumber(s.errors)}
            </Card>
            <Card label="p50 latency" metric="p50">
              {formatMs(s.p50Ms)}
            </Card>
            <Card label="p95 latency" metric="p95">
              {formatMs(s.p95Ms)}
            </Card>
            <Card label="p99 latency" metric="p99">
              {formatMs(s.p99Ms)}
            </Card>
            <Card label="Max latency" metric="max" hint={`mean ${formatMs(s.meanMs)}`}>
              {formatMs(s.maxMs)}
            </Card>
          </SimpleGrid>
          <Paper withBorder radius="md" p="sm">
            <Text size="sm" fw={600} mb={4}>
              Requests and errors
            </Text>
            <RequestsChart metrics={metrics} />
          </Paper>
          <Paper withBorder radius="md" p="sm">
            <Text size="sm" fw={600} mb={4}>
              Latency percentiles
            </Text>
            <LatencyChart metrics={metrics} />
          </Paper>
          <Text size="xs" c="dimmed" data-testid="endpoint-metrics-note">
            Latency is measured by the server from a request&apos;s arrival to its last byte (a streamed answer counts whole). Kept in memory: recorded since{' '}
            {formatDate(metrics.recordingSince)}; a restart starts over. Percentiles come from a log histogram (at most 9 % above the exact value).
          </Text>
        </>
      )}
    </Stack>
  );
}
