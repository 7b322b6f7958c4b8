import { Alert, Code, Stack, Text } from '@mantine/core';
import { isApiError } from '../api/client.ts';
import type { Problem } from '../api/types.ts';
import { ProblemList } from './ProblemList.tsx';

interface Props {
  error: unknown;
  title?: string;
  /** Extra problems to list (e.g. from a failed job's dataset version). */
  problems?: Problem[];
}

/** Shows an ApiError (code, detail, request id, problems) or any other error. */
export function ErrorAlert({ error, title, problems }: Props) {
  if (!error) return null;
  const api = isApiError(error) ? error : null;
  const detail = api ? api.detail : error instanceof Error ? error.message : String(error);
  const all = [...(api?.problems ?? []), ...(problems ?? [])];
  return (
    <Alert color="red" variant="light" title={title ?? 'Something went wrong'} data-testid="error-alert" style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
      <Stack gap="sm">
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {detail}
        </Text>
        {api && (
          <Text size="xs" c="dimmed">
            <Code>{api.code}</Code>
            {api.status ? ` · HTTP ${api.status}` : ''}
            {api.requestId ? ` · request ${api.requestId}` : ''}
          </Text>
        )}
        {all.length > 0 && <ProblemList problems={all} />}
      </Stack>
    </Alert>
  );
}
