import { useState } from 'react';
import { Anchor, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { authDownloadClick } from '../api/download.ts';
import type { BatchJobResult, Job, ModelVersion, Page } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate, formatNumber } from '../components/format.ts';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useJob } from '../jobs/hooks.ts';
import { batchOutputUrl } from './api.ts';

function resultOf(job: Job | undefined): BatchJobResult | null {
  const r = job?.result as Partial<BatchJobResult> | null | undefined;
  return r && typeof r.documents === 'number' ? (r as BatchJobResult) : null;
}

/** JSONL and tar.gz download links of a finished batch job. */
export function BatchDownloads({ jobId, size = 'xs' }: { jobId: string; size?: 'xs' | 'sm' }) {
  const [error, setError] = useState<unknown>(null);
  const link = (format: 'jsonl' | 'tar.gz', file: string, label: string) => {
    const url = batchOutputUrl(jobId, format);
    return (
      <Button component="a" href={url} download={file} size={size} variant="light" onClick={authDownloadClick(url, file, setError)} data-testid={`batch-download-${format === 'jsonl' ? 'jsonl' : 'tar'}`}>
        ↓ {label}
      </Button>
    );
  };
  return (
    <Stack gap={4}>
      <Group gap="xs">
        {link('jsonl', 'predictions.jsonl', 'JSON Lines')}
        {link('tar.gz', 'output.tar.gz', 'output.tar.gz')}
      </Group>
      {error !== null && <ErrorAlert error={error} title="Download failed" />}
    </Stack>
  );
}

/** Follows one text.batch job: progress, then the counts and downloads (or the error). */
export function BatchJobProgress({ initial }: { initial: Job }) {
  const { data: job, error } = useJob(initial.id);
  const status = job?.status ?? initial.status;
  const result = resultOf(job);
  if (status === 'failed' || status === 'cancelled') {
    return (
      <Stack gap={4} data-testid="batch-failed">
        <ErrorAlert error={new Error(job?.error?.message ?? `The batch job ${status}.`)} title={`Batch job ${job?.error?.code ?? status}`} problems={job?.error?.problems} />
      </Stack>
    );
  }
  if (status === 'succeeded' && result) {
    return (
      <Group justify="space-between" data-testid="batch-done" data-documents={result.documents}>
        <Text size="sm">
          <b>{formatNumber(result.documents)}</b> document{result.documents === 1 ? '' : 's'} analyzed
          {result.errors > 0 ? `, ${formatNumber(result.errors)} with errors` : ''} ·{' '}
          <Anchor component={Link} to={`/jobs/${initial.id}`} size="sm">
            job
          </Anchor>
        </Text>
        <BatchDownloads jobId={initial.id} size="sm" />
      </Group>
    );
  }
  return (
    <Stack gap={4} data-testid="batch-progress">
      <ProgressBar value={job?.progress ?? 0} status={status} label={job?.message || (status === 'queued' ? 'Waiting for a worker…' : 'Analyzing…')} />
      {error && <ErrorAlert error={error} title="Cannot follow the batch job" />}
    </Stack>
  );
}

/** Earlier batch jobs of this model version (from the jobs list, filtered by the payload's modelId). */
export function RecentBatchJobs({ model, exclude }: { model: ModelVersion; exclude?: string }) {
  const { data } = useQuery({
    queryKey: ['jobs', 'list', { type: 'text.batch', model: model.id }],
    queryFn: ({ signal }) => api<Page<Job>>('/jobs', { query: { type: 'text.batch', limit: 100 }, signal }),
    refetchInterval: 10_000,
  });
  const jobs = (data?.items ?? []).filter((j) => (j.payload as { modelId?: string } | null)?.modelId === model.id && j.id !== exclude).slice(0, 5);
  if (jobs.length === 0) return null;
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        Earlier batch jobs
      </Text>
      <Table verticalSpacing={4} fz="sm" data-testid="batch-history">
        <Table.Tbody>
          {jobs.map((j) => {
            const r = resultOf(j);
            return (
              <Table.Tr key={j.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/jobs/${j.id}`} size="sm">
                    {(j.payload as { inputFileName?: string } | null)?.inputFileName ?? j.id}
                  </Anchor>
                </Table.Td>
                <Table.Td c="dimmed">{formatDate(j.createdAt)}</Table.Td>
                <Table.Td>
                  <StatusBadge status={j.status} />
                </Table.Td>
                <Table.Td>{r ? `${formatNumber(r.documents)} docs` : ''}</Table.Td>
                <Table.Td>{j.status === 'succeeded' && <BatchDownloads jobId={j.id} />}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
