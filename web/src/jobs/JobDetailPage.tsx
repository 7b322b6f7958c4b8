import { Accordion, Anchor, Button, Code, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { isTerminal, type Job } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate, formatDuration } from '../components/format.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useAction } from '../components/useAction.ts';
import { cancelJob, jobKeys, useJob } from './hooks.ts';
import { JobLogs } from './JobLogs.tsx';
import { jobInputs, jobTitle } from './describe.ts';
import { JobOutputs, useJobLookups } from './JobOutputs.tsx';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function Json({ value }: { value: unknown }) {
  return (
    <Code block style={{ maxHeight: 320, overflow: 'auto' }}>
      {JSON.stringify(value, null, 2)}
    </Code>
  );
}

function CancelButton({ job }: { job: Job }) {
  const qc = useQueryClient();
  const { busy, error, attempt } = useAction();
  const cancel = async () => {
    await attempt(async () => {
      qc.setQueryData(jobKeys.one(job.id), await cancelJob(job.id));
      void qc.invalidateQueries({ queryKey: jobKeys.all });
    });
  };
  return (
    <Stack gap={4} align="flex-end">
      <Button color="orange" variant="light" onClick={cancel} loading={busy} disabled={isTerminal(job.status) || job.status === undefined} data-testid="job-cancel">
        Cancel job
      </Button>
      {error !== null && <ErrorAlert error={error} title="Cannot cancel" />}
    </Stack>
  );
}

export function JobDetailPage() {
  const { id = '' } = useParams();
  const { data: job, error, isPending } = useJob(id);
  const lookups = useJobLookups();
  if (isPending) return <Loader />;
  if (error || !job) return <ErrorAlert error={error ?? new Error('Not found')} title={`Cannot load job ${id}`} />;
  const running = !isTerminal(job.status);
  return (
    <Stack gap="lg" data-testid="job-detail">
      <PageHeader
        crumb={{ to: '/jobs', label: 'Jobs', current: jobTitle(job, lookups) }}
        title={
          <Group gap="sm">
            <span data-testid="job-detail-name">{jobTitle(job, lookups)}</span>
            <StatusBadge status={job.status} data-testid="job-detail-status" />
          </Group>
        }
        description={
          <Text span size="sm" c="dimmed" className="sb-mono">
            {job.type} · {job.id}
          </Text>
        }
        actions={<CancelButton job={job} />}
      />
      <Paper withBorder p="md" radius="md">
        <Stack gap="md">
          <ProgressBar value={job.status === 'succeeded' ? 1 : job.progress} status={job.status} label={job.message} size="md" data-testid="job-progress" />
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Field label="Created">{formatDate(job.createdAt)}</Field>
            <Field label="Started">{formatDate(job.startedAt)}</Field>
            <Field label="Finished">{formatDate(job.finishedAt)}</Field>
            <Field label="Duration">{formatDuration(job.startedAt, job.finishedAt)}</Field>
            <Field label="Attempts">{job.attempts}</Field>
            {jobInputs(job, lookups).length > 0 && (
              <Field label="Reads">
                <Group gap="xs" data-testid="job-detail-inputs">
                  {jobInputs(job, lookups).map((d) => (
                    <Anchor key={d.role} component={Link} to={d.to} size="sm" data-testid="job-input" data-role={d.role}>
                      {d.role === 'test set' ? `test set ${d.label}` : d.label}
                    </Anchor>
                  ))}
                </Group>
              </Field>
            )}
            <Field label="Produced">
              <JobOutputs job={job} lookups={lookups} withKind />
            </Field>
          </SimpleGrid>
        </Stack>
      </Paper>
      {job.error && <ErrorAlert error={new ApiError(0, { code: job.error.code, detail: job.error.message, problems: job.error.problems })} title="The job failed" />}
      <Stack gap="xs">
        <Title order={4}>Logs</Title>
        <JobLogs id={job.id} running={running} message={job.message} />
      </Stack>
      <Accordion variant="contained" radius="md" data-testid="job-raw">
        <Accordion.Item value="raw">
          <Accordion.Control>Request and result (JSON)</Accordion.Control>
          <Accordion.Panel>
            <SimpleGrid cols={{ base: 1, md: job.result != null ? 2 : 1 }}>
              <Stack gap="xs">
                <Title order={5}>Payload</Title>
                <Json value={job.payload} />
              </Stack>
              {job.result != null && (
                <Stack gap="xs">
                  <Title order={5}>Result</Title>
                  <Json value={job.result} />
                </Stack>
              )}
            </SimpleGrid>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}
