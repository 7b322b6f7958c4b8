/**
 * One fine-tuning run: status, live loss / eval-loss chart, throughput table (tokens/s and sequences/s with the
 * world size, like the seed's table against the number of instances), checkpoints with "deploy this checkpoint".
 */
import { useState } from 'react';
import { Button, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { cancelRun, exportRun, resumeRun, useRun, useSeries } from './api.ts';
import { LossChart } from './LossChart.tsx';

const fmt = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? '–' : v.toFixed(d));

export function RunPage() {
  const { run = '' } = useParams();
  const q = useRun(run);
  const r = q.data;
  const running = r?.status === 'queued' || r?.status === 'running';
  const series = useSeries(run, running);
  const client = useQueryClient();
  const [endpoint, setEndpoint] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (key: string, f: () => Promise<unknown>, message?: (out: any) => string) => {
    setBusy(key); setError(null); setDone(null);
    try {
      const out = await f();
      if (message) setDone(message(out));
      await client.invalidateQueries({ queryKey: ['finetune-run', run] });
    } catch (e) { setError(e); } finally { setBusy(null); }
  };
  if (q.error) return <ErrorAlert error={q.error} />;
  if (!r) return <Text c="dimmed">Loading…</Text>;
  const s = r.summary;
  return (
    <Stack>
      <PageHeader title={`Fine-tuning run ${r.name}`} description={`${r.spec.method} on ${typeof r.spec.base === 'string' ? r.spec.base : 'a llama2.c upload'} (${r.model.arch}, dim ${r.model.dim}, ${r.model.n_layers} layers) — ${r.spec.parallel.dataParallel} worker(s) via ${r.launcher}`} />
      <Group>
        <StatusBadge status={r.status} data-testid="finetune-status" />
        <Text size="sm">{r.job?.message}</Text>
        {running ? <Button size="xs" variant="light" color="red" loading={busy === 'cancel'} onClick={() => act('cancel', () => cancelRun(r.id))}>Cancel</Button> : null}
        {!running && r.checkpoints.length > 0 && s.step < (r.spec.hp.maxSteps ?? Infinity) ? <Button size="xs" variant="light" loading={busy === 'resume'} onClick={() => act('resume', () => resumeRun(r.id))}>Resume from the last checkpoint</Button> : null}
      </Group>
      {r.job?.error ? <ErrorAlert error={new Error(`${r.job.error.code}: ${r.job.error.message}`)} /> : null}
      <ErrorAlert error={error} />
      {done ? <Text c="green" size="sm" data-testid="finetune-deployed">{done}</Text> : null}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md">
          <Title order={5}>Loss</Title>
          {series.data ? <LossChart series={series.data} /> : null}
        </Paper>
        <Paper withBorder p="md">
          <Title order={5}>Results</Title>
          <Table data-testid="finetune-throughput">
            <Table.Tbody>
              <Table.Tr><Table.Td>workers (world size)</Table.Td><Table.Td>{s.worldSize ?? r.spec.parallel.dataParallel}</Table.Td></Table.Tr>
              <Table.Tr><Table.Td>tensor × pipeline parallel (recorded)</Table.Td><Table.Td>{r.spec.parallel.tensorParallel} × {r.spec.parallel.pipelineParallel}</Table.Td></Table.Tr>
              <Table.Tr><Table.Td>tokens / s</Table.Td><Table.Td data-testid="finetune-stat" data-stat="tokens-per-s">{fmt(s.tokensPerSecond, 0)}</Table.Td></Table.Tr>
              <Table.Tr><Table.Td>sequences / s</Table.Td><Table.Td data-testid="finetune-stat" data-stat="seqs-per-s">{fmt(s.seqsPerSecond, 1)}</Table.Td></Table.Tr>
              <Table.Tr><Table.Td>step</Table.Td><Table.Td data-testid="finetune-stat" data-stat="step">{s.step}{r.spec.hp.maxSteps ? ` / ${r.spec.hp.maxSteps}` : ''}{s.resumedFromStep ? ` (resumed from ${s.resumedFromStep})` : ''}</Table.Td></Table.Tr>
              <Table.Tr><Table.Td>eval loss: base → fine-tuned</Table.Td><Table.Td>{fmt(s.baseEvalLoss)} → {fmt(s.evalLoss)}</Table.Td></Table.Tr>
              <Table.Tr><Table.Td>final training loss</Table.Td><Table.Td>{fmt(s.finalLoss)}</Table.Td></Table.Tr>
            </Table.Tbody>
          </Table>
        </Paper>
      </SimpleGrid>
      <Paper withBorder p="md">
        <Title order={5}>Checkpoints</Title>
        <Group align="end" mb="sm">
          <TextInput label="Endpoint name" placeholder={`${r.name}-ep`} value={endpoint} onChange={(e) => setEndpoint(e.currentTarget.value)} data-testid="finetune-endpoint-name" />
        </Group>
        <Table data-testid="finetune-checkpoints">
          <Table.Thead><Table.Tr><Table.Th>checkpoint</Table.Th><Table.Th>step</Table.Th><Table.Th>bytes</Table.Th><Table.Th /></Table.Tr></Table.Thead>
          <Table.Tbody>
            {r.checkpoints.map((c) => (
              <Table.Tr key={c.name} data-testid="finetune-checkpoint" data-step={c.step}>
                <Table.Td>{c.name}{c.latest ? ' (latest)' : ''}</Table.Td>
                <Table.Td>{c.step}</Table.Td>
                <Table.Td>{c.bytes}</Table.Td>
                <Table.Td>
                  <Button size="xs" loading={busy === c.name} onClick={() => act(c.name, () => exportRun(r.id, { step: c.step, name: `${r.name}-step${c.step}`, deploy: endpoint || `${r.name}-ep` }), (o) => `Deployed ${o.model.name}:${o.model.version} on endpoint ${o.endpoint}.`)}>
                    Deploy this checkpoint
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {r.checkpoints.length === 0 ? <Text c="dimmed" size="sm">No checkpoint yet (every {r.spec.hp.checkpointEvery} steps).</Text> : null}
      </Paper>
    </Stack>
  );
}
