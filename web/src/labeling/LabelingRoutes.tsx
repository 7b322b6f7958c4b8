/**
 * Labeling (issue 15): the jobs list with "create a labeling job" (from the unlabeled images or the feedback inbox,
 * at most N, dealt to named labelers), a job's page (JobPage.tsx) and the bounding-box editor (TaskPage.tsx).
 */
import { useState } from 'react';
import { Autocomplete, Badge, Button, Group, NumberInput, Paper, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Route, Routes, useNavigate } from 'react-router';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatDate } from '../components/format.ts';
import { useAction } from '../components/useAction.ts';
import { NotFoundPage } from '../layout/NotFoundPage.tsx';
import { createJob, namesOf, useDetectionDatasets, useJobs, useMe, type LabelingJob } from './api.ts';
import { JobPage } from './JobPage.tsx';
import { TaskPage } from './TaskPage.tsx';

export const progressText = (j: LabelingJob) => `${j.progress.done} / ${j.progress.total}`;

const columns: ReadonlyArray<Column<LabelingJob>> = [
  { header: 'Job', cell: (j) => j.name },
  { header: 'Kind', cell: (j) => <Badge variant="light" color={j.kind === 'verify' ? 'grape' : 'blue'}>{j.kind === 'verify' ? 'verification' : 'labeling'}</Badge> },
  { header: 'Dataset', cell: (j) => j.dataset },
  { header: 'People', cell: (j) => j.people.join(', ') },
  { header: 'Done', cell: (j) => progressText(j), numeric: true, td: () => ({ 'data-testid': 'job-progress' }) },
  { header: 'Created', cell: (j) => formatDate(j.createdAt) },
];

function CreateJobForm() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { busy, error, attempt } = useAction();
  const datasets = useDetectionDatasets();
  const [dataset, setDataset] = useState('');
  const [source, setSource] = useState<'unlabeled' | 'inbox'>('unlabeled');
  const [limit, setLimit] = useState<number | string>(200);
  const [labelers, setLabelers] = useState('');
  async function submit() {
    const job = await attempt(() => createJob({ dataset: dataset.trim(), source, limit: Number(limit) || 200, labelers: namesOf(labelers) }));
    if (!job) return;
    await qc.invalidateQueries({ queryKey: ['labeling-jobs'] });
    void navigate(`/labeling/jobs/${job.id}`);
  }
  return (
    <Paper withBorder p="md" data-testid="create-labeling-job">
      <Stack gap="sm">
        <Text fw={600}>New labeling job</Text>
        <Group align="flex-end" wrap="wrap">
          <Autocomplete label="Detection dataset" placeholder="metal-tags" value={dataset} onChange={setDataset} data={(datasets.data?.items ?? []).map((d) => d.name)} data-testid="job-dataset" required />
          <div>
            <Text size="sm" fw={500} mb={4}>Images</Text>
            <SegmentedControl value={source} onChange={(v) => setSource(v as 'unlabeled' | 'inbox')} data={[{ value: 'unlabeled', label: 'All unlabeled' }, { value: 'inbox', label: 'Feedback inbox' }]} data-testid="job-source" />
          </div>
          <NumberInput label="At most N images" min={1} max={10000} value={limit} onChange={setLimit} w={140} data-testid="job-limit" />
          <TextInput label="Labelers (token names)" placeholder="alice, bob — empty: you" value={labelers} onChange={(e) => setLabelers(e.currentTarget.value)} data-testid="job-labelers" w={260} />
          <Button onClick={() => void submit()} loading={busy} disabled={!dataset.trim()} data-testid="job-create">Create job</Button>
        </Group>
        {error ? <ErrorAlert error={error} title="The job was not created" /> : null}
      </Stack>
    </Paper>
  );
}

function JobsPage() {
  const jobs = useJobs();
  const me = useMe();
  return (
    <Stack>
      <PageHeader
        title="Labeling"
        description="Bounding-box labeling and verification jobs over detection datasets; every save is a record in the feature store (image_labels)."
        actions={<Text size="sm" data-testid="labeling-me">You are <b>{me.data?.principal ?? '…'}</b></Text>}
      />
      <CreateJobForm />
      <DataTable query={jobs} columns={columns} rowKey={(j) => j.id} href={(j) => `/labeling/jobs/${j.id}`} rowAttrs={(j) => ({ 'data-testid': 'labeling-job-row', 'data-job': j.name, 'data-kind': j.kind })} empty={<Text c="dimmed">No labeling jobs yet.</Text>} data-testid="labeling-jobs-table" />
    </Stack>
  );
}

/** /labeling/*: jobs, a job, a task's editor (relative routes; App.tsx mounts them under /labeling). */
export function LabelingRoutes() {
  return (
    <Routes>
      <Route index element={<JobsPage />} />
      <Route path="jobs/:id" element={<JobPage />} />
      <Route path="jobs/:id/tasks/:n" element={<TaskPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
