import { Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { NameVersionTitle, PageHeader } from '../components/PageHeader.tsx';
import { DetectorPrChart } from './DetectorPrChart.tsx';
import { TryImagePanel } from './TryImagePanel.tsx';
import { useDetectorMetrics } from './api.ts';

const fmt = (v: number | null | undefined, d = 3): string => (typeof v === 'number' ? v.toFixed(d) : '—');

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={700} size="xl" data-testid={testId}>{value}</Text>
    </Paper>
  );
}

/** /detection/models/:name/:version — held-out metrics, per-class AP, PR curve, and a try-an-image panel. */
export function DetectorPage() {
  const { name = '', version = '1' } = useParams();
  const ref = `${name}:${version}`;
  const q = useDetectorMetrics(ref);
  const m = q.data?.metrics;
  const classes = q.data?.classes ?? [];
  return (
    <>
      <PageHeader title={<NameVersionTitle name={name} version={Number(version)} />} description="Object detector: held-out (seeded 20 %) COCO metrics and a try-an-image panel." crumb={{ to: '/detection', label: 'Detection', current: ref }} />
      {q.error ? <ErrorAlert error={q.error} title="Cannot load the detector" /> : null}
      {m ? (
        <Stack>
          <SimpleGrid cols={{ base: 2, md: 6 }}>
            <Stat label="mAP50-95" value={fmt(m.map50_95)} testId="detector-map50-95" />
            <Stat label="mAP50" value={fmt(m.map50)} testId="detector-map50" />
            <Stat label="mAP75" value={fmt(m.map75)} testId="detector-map75" />
            <Stat label="train images" value={String(m.n_train ?? '—')} testId="detector-n-train" />
            <Stat label="held-out images" value={String(m.n_test ?? '—')} testId="detector-n-test" />
            <Stat label="training time" value={typeof m.train_seconds === 'number' ? `${m.train_seconds.toFixed(0)} s` : '—'} testId="detector-train-seconds" />
          </SimpleGrid>
          <Group align="start" grow>
            <Paper withBorder p="md">
              <Title order={4} mb="sm">Per-class AP</Title>
              <Table data-testid="detector-per-class">
                <Table.Thead><Table.Tr><Table.Th>class</Table.Th><Table.Th>boxes</Table.Th><Table.Th>AP50</Table.Th><Table.Th>AP75</Table.Th><Table.Th>AP50-95</Table.Th><Table.Th>recall@0.5</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {(m.perClass ?? []).map((c) => (
                    <Table.Tr key={c.classId}><Table.Td>{classes[c.classId] ?? c.classId}</Table.Td><Table.Td>{c.nTruth}</Table.Td><Table.Td>{fmt(c.ap50)}</Table.Td><Table.Td>{fmt(c.ap75)}</Table.Td><Table.Td>{fmt(c.ap50_95)}</Table.Td><Table.Td>{fmt(c.recall50)}</Table.Td></Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
            <Paper withBorder p="md">
              <Title order={4} mb="sm">Precision–recall at IoU 0.5</Title>
              <DetectorPrChart curves={m.prCurve ?? []} classes={classes} />
            </Paper>
          </Group>
          <TryImagePanel modelRef={ref} />
        </Stack>
      ) : null}
    </>
  );
}
