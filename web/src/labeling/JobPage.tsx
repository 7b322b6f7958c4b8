/**
 * A labeling or verification job: progress per person (done / total), the outcomes, export of its results (Ground
 * Truth, YOLO, COCO), "create a verification job" over a labeling job's saved images, and its tasks (open one in the
 * editor; "Start" opens the caller's first open task).
 */
import { useState } from 'react';
import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { authDownloadClick } from '../api/download.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { formatDate } from '../components/format.ts';
import { useAction } from '../components/useAction.ts';
import { createVerification, exportUrl, namesOf, useJob, useMe, useTasks, type LabelingJob, type LabelingTask } from './api.ts';

const FORMATS = [
  { format: 'groundtruth', label: 'Ground Truth', file: 'manifest' },
  { format: 'yolo', label: 'YOLO', file: 'yolo.zip' },
  { format: 'coco', label: 'COCO', file: 'coco.json' },
];

function Progress({ job }: { job: LabelingJob }) {
  return (
    <Paper withBorder p="md" data-testid="job-progress-panel">
      <Stack gap="xs">
        <ProgressBar value={job.progress.total ? job.progress.done / job.progress.total : 0} status={job.progress.done === job.progress.total ? 'succeeded' : 'running'} label={`${job.progress.done} of ${job.progress.total} images`} data-testid="job-progress-bar" />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {job.progress.byPerson.map((p) => (
            <Text size="sm" key={p.name} data-testid="person-progress" data-person={p.name}>
              {p.name}: {p.done} / {p.total}
            </Text>
          ))}
        </SimpleGrid>
        <Group gap="xs">
          {Object.entries(job.progress.outcomes).filter(([, n]) => n > 0).map(([o, n]) => (
            <Badge key={o} variant="light" color={o === 'APPROVED' ? 'teal' : o === 'REJECTED' ? 'red' : 'gray'} data-testid="outcome-count" data-outcome={o}>{o} {n}</Badge>
          ))}
        </Group>
      </Stack>
    </Paper>
  );
}

function VerifyForm({ job }: { job: LabelingJob }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { busy, error, attempt } = useAction();
  const [verifiers, setVerifiers] = useState('');
  async function submit() {
    const v = await attempt(() => createVerification(job.id, { verifiers: namesOf(verifiers) }));
    if (!v) return;
    await qc.invalidateQueries({ queryKey: ['labeling-jobs'] });
    void navigate(`/labeling/jobs/${v.id}`);
  }
  return (
    <Paper withBorder p="md" data-testid="verify-form">
      <Group align="flex-end">
        <TextInput label="Verifiers (token names; never the labeler)" placeholder="bob — empty: you" value={verifiers} onChange={(e) => setVerifiers(e.currentTarget.value)} data-testid="verify-verifiers" w={320} />
        <Button onClick={() => void submit()} loading={busy} disabled={job.progress.done === 0} data-testid="verify-create">Create verification job</Button>
      </Group>
      {error ? <ErrorAlert error={error} title="The verification job was not created" /> : null}
    </Paper>
  );
}

export function JobPage() {
  const { id = '' } = useParams();
  const job = useJob(id);
  const tasks = useTasks(id);
  const me = useMe();
  const { error: dlError, setError } = useAction();
  const j = job.data;
  const mine = tasks.data?.items.find((t) => t.status === 'todo' && t.assignee === me.data?.principal) ?? tasks.data?.items.find((t) => t.assignee === me.data?.principal);
  const columns: ReadonlyArray<Column<LabelingTask>> = [
    { header: '#', cell: (t) => t.position, numeric: true },
    { header: 'Image', cell: (t) => <Anchor component={Link} to={`/labeling/jobs/${id}/tasks/${t.position}`} size="sm">{t.ref}</Anchor> },
    { header: 'Assigned to', cell: (t) => t.assignee },
    ...(j?.kind === 'verify' ? [{ header: 'Labeler', cell: (t: LabelingTask) => t.labeler ?? '' }] : []),
    { header: 'Status', cell: (t) => <Badge variant="light" color={t.status === 'done' ? 'teal' : 'gray'}>{t.status}</Badge> },
    { header: 'Outcome', cell: (t) => t.outcome ?? '' },
    { header: 'Boxes', cell: (t) => (t.boxes ?? t.inputBoxes)?.length ?? '', numeric: true },
    { header: 'Uncertainty', cell: (t) => (t.uncertainty === null ? '' : t.uncertainty.toFixed(2)), numeric: true },
    { header: 'By', cell: (t) => (t.doneBy ? `${t.doneBy}, ${formatDate(t.doneAt)}` : '') },
  ];
  return (
    <Stack>
      <PageHeader
        title={j ? j.name : id}
        description={j ? `${j.kind === 'verify' ? 'Verification' : 'Labeling'} job on ${j.dataset} · ${j.total} images · by ${j.createdBy}, ${formatDate(j.createdAt)}${j.prelabelModel ? ` · pre-labels from ${j.prelabelModel}` : ''}` : undefined}
        crumb={{ to: '/labeling', label: 'Labeling', current: j?.name ?? id }}
        actions={
          <>
            {FORMATS.map((f) => (
              <Anchor key={f.format} href={exportUrl(id, f.format)} download onClick={authDownloadClick(exportUrl(id, f.format), `${id}-${f.file}`, setError)} size="sm" data-testid={`export-${f.format}`}>
                {f.label}
              </Anchor>
            ))}
            {mine && <Button component={Link} to={`/labeling/jobs/${id}/tasks/${mine.position}`} data-testid="job-start">{j?.kind === 'verify' ? 'Start verifying' : 'Start labeling'}</Button>}
          </>
        }
      />
      {job.error ? <ErrorAlert error={job.error} /> : null}
      {dlError ? <ErrorAlert error={dlError} title="Export failed" /> : null}
      {j && <Progress job={j} />}
      {j?.kind === 'label' && <VerifyForm job={j} />}
      {j?.parentJobId && <Text size="sm">Verifies <Anchor component={Link} to={`/labeling/jobs/${j.parentJobId}`}>the labeling job</Anchor>.</Text>}
      <DataTable query={tasks} columns={columns} rowKey={(t) => String(t.position)} rowAttrs={(t) => ({ 'data-testid': 'task-row', 'data-ref': t.ref, 'data-status': t.status })} data-testid="tasks-table" />
    </Stack>
  );
}
