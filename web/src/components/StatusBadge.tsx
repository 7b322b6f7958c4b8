import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  queued: 'gray',
  running: 'blue',
  uploading: 'blue',
  importing: 'blue',
  training: 'blue',
  succeeded: 'teal',
  ready: 'teal',
  active: 'teal',
  'in-service': 'teal',
  creating: 'blue',
  updating: 'blue',
  failed: 'red',
  invalid: 'red',
  cancelled: 'orange',
};

export function StatusBadge({ status, 'data-testid': testId }: { status: string; 'data-testid'?: string }) {
  return (
    // Never narrower than its word: a table column must not cut "succeeded" to "SUCCEE…".
    <Badge
      color={COLORS[status] ?? 'gray'}
      variant="light"
      data-testid={testId}
      data-status={status}
      style={{ flexShrink: 0, overflow: 'visible', minWidth: 'max-content' }}
      styles={{ label: { overflow: 'visible', textOverflow: 'clip' } }}
    >
      {status}
    </Badge>
  );
}
