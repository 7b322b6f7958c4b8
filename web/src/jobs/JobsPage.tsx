import { useState } from 'react';
import { Group, Select, Text } from '@mantine/core';
import type { Job } from '../api/types.ts';
import { createdColumn, DataTable, Dimmed, RowLink, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { formatDuration } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { JOB_TYPE_NAMES, jobTitle, type JobLookups } from './describe.ts';
import { useJobs } from './hooks.ts';
import { JobOutputs, useJobLookups } from './JobOutputs.tsx';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

function columns(lookups: JobLookups): Array<Column<Job>> {
  return [
    {
      header: 'Job',
      cell: (job) => (
        <>
          <RowLink to={`/jobs/${job.id}`} size="sm" data-testid="job-name">
            {jobTitle(job, lookups)}
          </RowLink>
          <Text size="xs" c="dimmed" className="sb-mono">
            {job.type} · {job.id}
          </Text>
          <JobOutputs job={job} lookups={lookups} prefix="→" />
        </>
      ),
    },
    { header: 'Status', cell: (job) => <StatusBadge status={job.status} data-testid="job-status" /> },
    { header: 'Progress', td: () => ({ w: 260 }), cell: (job) => <ProgressBar value={job.status === 'succeeded' ? 1 : job.progress} status={job.status} label={job.message} size="sm" /> },
    createdColumn(),
    { header: 'Duration', cell: (job) => <Dimmed>{formatDuration(job.startedAt, job.finishedAt)}</Dimmed> },
  ];
}

export function JobsPage() {
  const [status, setStatus] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const list = useJobs({ status: status ?? undefined, type: type ?? undefined });
  const lookups = useJobLookups();
  const types = Array.from(new Set([...(list.data?.items.map((j) => j.type) ?? []), ...(type ? [type] : [])])).sort();
  return (
    <>
      <PageHeader
        title="Jobs"
        description="Imports, training runs and batch analyses, updated live."
        actions={
          <Group gap="xs">
            <Select placeholder="Any status" data={STATUSES} value={status} onChange={setStatus} clearable w={150} data-testid="jobs-filter-status" />
            <Select placeholder="Any type" data={types.map((t) => ({ value: t, label: JOB_TYPE_NAMES[t] ?? t }))} value={type} onChange={setType} clearable w={230} data-testid="jobs-filter-type" />
          </Group>
        }
      />
      <DataTable
        query={list}
        errorTitle="Cannot load jobs"
        empty={<EmptyState title="No jobs yet">Jobs appear here when you import a dataset or train a model.</EmptyState>}
        columns={columns(lookups)}
        rowKey={(job) => job.id}
        href={(job) => `/jobs/${job.id}`}
        rowAttrs={(job) => ({ 'data-testid': 'job-row', 'data-job-id': job.id, 'data-job-type': job.type, 'data-status': job.status })}
        minWidth={860}
        data-testid="jobs-table"
      />
    </>
  );
}
