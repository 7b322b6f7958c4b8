import { Group, Progress, Text } from '@mantine/core';
import { formatPercent } from './format.ts';

const COLORS: Record<string, string> = {
  queued: 'gray',
  running: 'blue',
  uploading: 'blue',
  succeeded: 'teal',
  failed: 'red',
  cancelled: 'orange',
};

interface Props {
  /** 0..1 */
  value: number;
  status?: string;
  label?: string;
  size?: 'xs' | 'sm' | 'md' | 'lg';
  showPercent?: boolean;
  'data-testid'?: string;
}

/** A progress bar coloured by job status; striped and animated while work runs. */
export function ProgressBar({ value, status = 'running', label, size = 'sm', showPercent = true, 'data-testid': testId }: Props) {
  const pct = Math.round(Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * 100);
  const active = status === 'running' || status === 'uploading' || status === 'queued';
  return (
    <div data-testid={testId} data-status={status} data-progress={pct}>
      {(label || showPercent) && (
        <Group justify="space-between" gap="xs" mb={4} wrap="nowrap">
          <Text size="xs" c="dimmed" truncate>
            {label ?? ''}
          </Text>
          {showPercent && (
            <Text size="xs" c="dimmed">
              {formatPercent(pct / 100)}
            </Text>
          )}
        </Group>
      )}
      <Progress value={pct} color={COLORS[status] ?? 'blue'} size={size} striped={active} animated={status === 'running' || status === 'uploading'} />
    </div>
  );
}
