import { useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Checkbox, Group, NumberInput, Paper, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Job, ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { datasetPath } from '../datasets/ImportProgress.tsx';
import { jobKeys } from '../jobs/hooks.ts';
import { applyEdits, startNoisyLabels, type DataFields, type EditsAccepted, type NoisyResult, type NoisyRow } from './api.ts';
import { JobFollow } from './JobFollow.tsx';

function Labels({ labels, other }: { labels: string[]; other?: string[] }) {
  if (labels.length === 0) return <Text span size="xs" c="dimmed">none</Text>;
  return (
    <Group gap={4}>
      {labels.map((l) => (
        <Badge key={l} size="sm" variant={other && !other.includes(l) ? 'filled' : 'light'} color={other && !other.includes(l) ? 'orange' : 'gray'} tt="none">
          {l}
        </Badge>
      ))}
    </Group>
  );
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

type Choice = 'fix' | 'drop';

/** The suspicious rows with per-row "fix label" / "drop row", applied as a new dataset version. */
function NoisyTable({ result, fields, datasetName }: { result: NoisyResult; fields: DataFields; datasetName: string }) {
  const qc = useQueryClient();
  const [choices, setChoices] = useState<Record<number, Choice | undefined>>({});
  const { busy, error, attempt } = useAction();
  const [done, setDone] = useState<EditsAccepted | null>(null);
  const version = fields.datasetVersion ?? result.dataset.version;
  const toggle = (row: number, c: Choice, on: boolean) => setChoices((prev) => ({ ...prev, [row]: on ? c : prev[row] === c ? undefined : prev[row] }));
  const drop = result.rows.filter((r) => choices[r.row] === 'drop').map((r) => r.row);
  const relabel = result.rows.filter((r) => choices[r.row] === 'fix').map((r) => ({ row: r.row, labels: r.suggested }));

  const apply = async () => {
    await attempt(async () => {
      const r = await applyEdits(fields.dataset, version, drop, relabel, fields);
      setDone(r);
      setChoices({});
      void qc.invalidateQueries({ queryKey: ['datasets'] });
      void qc.invalidateQueries({ queryKey: jobKeys.all });
    });
  };

  const rows: NoisyRow[] = result.rows;
  return (
    <Stack gap="sm" data-testid="noisy-result">
      <Text size="sm">
        {rows.length} most suspicious of {result.n_rows} rows ({result.folds}-fold out-of-fold scores; higher score = stronger disagreement with the given labels).
      </Text>
      <Table.ScrollContainer minWidth={820} maxHeight={520}>
        <Table stickyHeader verticalSpacing={4} fz="sm" highlightOnHover data-testid="noisy-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th ta="right">Row</Table.Th>
              <Table.Th>Text</Table.Th>
              <Table.Th>Given</Table.Th>
              <Table.Th>Suggested</Table.Th>
              <Table.Th ta="right">Score</Table.Th>
              <Table.Th>Fix label</Table.Th>
              <Table.Th>Drop row</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => {
              const agrees = same(r.labels, r.suggested);
              return (
                <Table.Tr key={r.row} data-testid="noisy-row" data-row={r.row}>
                  <Table.Td ta="right" className="sb-num">
                    {r.row}
                  </Table.Td>
                  <Table.Td maw={420}>
                    <Text size="sm" lineClamp={3} title={r.text}>
                      {r.text}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Labels labels={r.labels} />
                  </Table.Td>
                  <Table.Td>
                    <Labels labels={r.suggested} other={r.labels} />
                  </Table.Td>
                  <Table.Td ta="right" className="sb-num">
                    {r.score.toFixed(3)}
                  </Table.Td>
                  <Table.Td>
                    <Checkbox aria-label={`Apply the suggested labels to row ${r.row}`} disabled={agrees} checked={choices[r.row] === 'fix'} onChange={(e) => toggle(r.row, 'fix', e.currentTarget.checked)} data-testid="noisy-fix" />
                  </Table.Td>
                  <Table.Td>
                    <Checkbox aria-label={`Drop row ${r.row}`} color="red" checked={choices[r.row] === 'drop'} onChange={(e) => toggle(r.row, 'drop', e.currentTarget.checked)} data-testid="noisy-drop" />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group gap="sm">
        <Button onClick={() => void apply()} disabled={busy || (drop.length === 0 && relabel.length === 0)} loading={busy} data-testid="noisy-apply">
          Apply as new dataset version
        </Button>
        <Text size="xs" c="dimmed">
          {relabel.length} relabeled, {drop.length} dropped · {datasetName} v{version} stays as it is
        </Text>
      </Group>
      {error !== null && <ErrorAlert error={error} title="Cannot apply the edits" />}
      {done && (
        <Text size="sm" data-testid="noisy-applied" data-version={done.version.version}>
          Created{' '}
          <Anchor component={Link} to={datasetPath(done.dataset.name, done.version.version)} data-testid="noisy-new-version">
            {done.dataset.name} v{done.version.version}
          </Anchor>{' '}
          ({done.edits.relabeled} relabeled, {done.edits.dropped} dropped; importing) — train a new version from it to compare.
        </Text>
      )}
    </Stack>
  );
}

/** "Noisy labels": a text.noisy-labels job on the model's dataset → table of suspicious rows → edits. */
/** `datasetName`: the training dataset's name for display (fields.dataset may be its id). */
export function NoisyLabelsPanel({ fields, datasetName }: { model: ModelVersion; fields: DataFields; datasetName: string }) {
  const qc = useQueryClient();
  const [top, setTop] = useState<number>(50);
  const [job, setJob] = useState<Job | null>(null);
  const { busy: starting, error, attempt } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await attempt(async () => {
      const r = await startNoisyLabels(fields, top);
      setJob(r.job);
      void qc.invalidateQueries({ queryKey: jobKeys.all });
    });
  };
  return (
    <Paper withBorder p="md" radius="md" data-testid="noisy-panel">
      <Stack gap="sm">
        <form onSubmit={(e) => void submit(e)}>
          <Group align="flex-end" gap="sm">
            <NumberInput label="Rows to show" min={1} max={1000} w={140} value={top} onChange={(v) => setTop(Number(v) || 50)} data-testid="noisy-top" />
            <Button type="submit" loading={starting} data-testid="noisy-submit">
              Find suspicious rows in {datasetName}
              {fields.datasetVersion ? ` v${fields.datasetVersion}` : ''}
            </Button>
          </Group>
        </form>
        {error !== null && <ErrorAlert error={error} title="Cannot start the noisy-label search" />}
        {job && (
          <JobFollow<NoisyResult> key={job.id} jobId={job.id} label="Scoring every row out of fold" testId="noisy">
            {(r) => <NoisyTable result={r} fields={fields} datasetName={datasetName} />}
          </JobFollow>
        )}
      </Stack>
    </Paper>
  );
}
