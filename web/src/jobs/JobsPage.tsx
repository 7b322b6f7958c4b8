import { useState } from 'react';
import { Anchor, Group, Loader, Paper, Select, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import type { Job } from '../api/types.ts';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate, formatDuration } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { JOB_TYPE_NAMES, jobTitle, type JobLookups } from './describe.ts';
import { useJobs } from './hooks.ts';
import { JobOutputs, useJobLookups } from './JobOutputs.tsx';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

function JobRow({ job, lookups }: { job: Job; lookups: JobLookups }) {
  const navigate = useNavigate();
  return (
    <Table.Tr className="sb-row-link" onClick={() => navigate(`/jobs/${job.id}`)} data-testid="job-row" data-job-id={job.id} data-job-type={job.type} data-status={job.status}>
      <Table.Td>
        <Anchor component={Link} to={`/jobs/${job.id}`} fw={600} size="sm" onClick={(e) => e.stopPropagation()} data-testid="job-name">
          {jobTitle(job, lookups)}
        </Anchor>
        <Text size="xs" c="dimmed" className="sb-mono">
          {job.type} · {job.id}
        </Text>
        <JobOutputs job={job} lookups={lookups} prefix="→" />
      </Table.Td>
      <Table.Td>
        <StatusBadge status={job.status} data-testid="job-status" />
      </Table.Td>
      <Table.Td w={260}>
        <ProgressBar value={job.status === 'succeeded' ? 1 : job.progress} status={job.status} label={job.message} size="sm" />
      </Table.Td>
      <Table.Td>
        <Text size="sm" c="dimmed">
          {formatDate(job.createdAt)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c="dimmed">
          {formatDuration(job.startedAt, job.finishedAt)}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function JobsPage() {
  const [status, setStatus] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const { data, error, isPending } = useJobs({ status: status ?? undefined, type: type ?? undefined });
  const lookups = useJobLookups();
  const types = Array.from(new Set([...(data?.items.map((j) => j.type) ?? []), ...(type ? [type] : [])])).sort();
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
      {isPending && <Loader />}
      {error && <ErrorAlert error={error} title="Cannot load jobs" />}
      {data && data.items.length === 0 && <EmptyState title="No jobs yet">Jobs appear here when you import a dataset or train a model.</EmptyState>}
      {data && data.items.length > 0 && (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={860}>
            <Table highlightOnHover verticalSpacing="sm" data-testid="jobs-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Job</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Progress</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Duration</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((job) => (
                  <JobRow key={job.id} job={job} lookups={lookups} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </>
  );
}
