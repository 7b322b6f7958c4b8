import { Alert, Group, Loader, Stack, Text } from '@mantine/core';
import type { TrainingCheck } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatNumber } from '../components/format.ts';
import { ProblemList } from '../components/ProblemList.tsx';

/** The first error of a check, with how many more there are. */
function firstError(check: TrainingCheck): string {
  const first = check.problems.find((p) => p.severity !== 'warning');
  const more = check.errors > 1 ? ` (and ${check.errors - 1} more problem${check.errors === 2 ? '' : 's'})` : '';
  return `${first ? `${first.row !== undefined ? `row ${first.row}: ` : ''}${first.problem}` : 'the data breaks the training rules'}${more}`;
}

/** Why Train is disabled, or null when the data passes training's rules (or is not checked yet). */
export function trainBlockReason(check: TrainingCheck | undefined, error?: unknown): string | null {
  if (error) return 'The data cannot be read as labelled text for this task (see the check above).';
  if (!check || check.ok) return null;
  return `Training would fail: ${firstError(check)}.`;
}

/**
 * The result of POST /text/classifiers/check for the chosen dataset, mode and format: the same rules the training
 * job applies (Comprehend's minimums per class, empty texts, delimiters, the test set's labels), said before training.
 */
export function TrainingCheckPanel({ check, error, pending, testId = 'training-check' }: { check: TrainingCheck | undefined; error: unknown; pending: boolean; testId?: string }) {
  if (error) return <ErrorAlert error={error} title="Cannot check the data for training" />;
  if (pending || !check) {
    return (
      <Group gap="xs" data-testid={testId} data-state="checking">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Checking the data against the training rules…
        </Text>
      </Group>
    );
  }
  const summary = `${formatNumber(check.documents)} documents, ${check.labels.length} label${check.labels.length === 1 ? '' : 's'}, read as ${check.mode} ${check.format}`;
  return (
    <Stack gap="xs" data-testid={testId} data-state={check.ok ? 'ok' : 'blocked'} data-errors={check.errors}>
      {check.ok ? (
        <Alert color="teal" variant="light" title="Ready to train" data-testid={`${testId}-ok`}>
          {summary}: the data meets the training rules{check.warnings > 0 ? ` (${check.warnings} warning${check.warnings === 1 ? '' : 's'} below)` : ''}.
        </Alert>
      ) : (
        <Alert color="red" variant="light" title="Training would fail on this data" data-testid={`${testId}-blocked`}>
          {summary}: {firstError(check)}. Fix the data (or choose another mode) before training.
        </Alert>
      )}
      {check.problems.length > 0 && <ProblemList problems={check.problems} max={10} data-testid={`${testId}-problems`} />}
    </Stack>
  );
}
