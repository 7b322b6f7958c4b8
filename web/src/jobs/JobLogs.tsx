import { useEffect, useRef } from 'react';
import { Paper, ScrollArea, Text } from '@mantine/core';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useJobLogs } from './hooks.ts';

const LEVEL_COLORS: Record<string, string | undefined> = { debug: 'dimmed', info: undefined, warn: 'yellow.7', error: 'red' };

/**
 * Log lines of a job (its stages, warnings and errors), polled with ?after=N while it runs; follows the tail.
 * The latest progress message closes the list when the log does not already end with it.
 */
export function JobLogs({ id, running, message }: { id: string; running: boolean; message?: string }) {
  const { data, error } = useJobLogs(id, running);
  const viewport = useRef<HTMLDivElement>(null);
  const lines = data ?? [];
  useEffect(() => {
    viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [lines.length]);
  if (error) return <ErrorAlert error={error} title="Cannot load logs" />;
  const current = message && lines[lines.length - 1]?.message !== message ? message : null;
  return (
    <Paper withBorder radius="md" p={0} data-testid="job-logs">
      <ScrollArea h={Math.min(360, Math.max(80, (lines.length + (current ? 1 : 0)) * 21 + 24))} viewportRef={viewport} type="auto">
        <div style={{ padding: '8px 12px' }}>
          {lines.length === 0 && !current && (
            <Text size="sm" c="dimmed">
              {running ? 'Waiting for log lines…' : 'No log lines.'}
            </Text>
          )}
          {lines.map((l, i) => (
            <Text key={i} className="sb-mono" c={LEVEL_COLORS[l.level]} style={{ whiteSpace: 'pre-wrap' }} data-testid="job-log-line">
              <Text span c="dimmed" className="sb-mono">
                {new Date(l.at).toLocaleTimeString()}
              </Text>{' '}
              <Text span fw={600} className="sb-mono" tt="uppercase">
                {l.level.padEnd(5)}
              </Text>{' '}
              {l.message}
            </Text>
          ))}
          {current && (
            <Text className="sb-mono" c="dimmed" style={{ whiteSpace: 'pre-wrap' }} data-testid="job-log-current">
              {running ? '… ' : ''}
              {current}
            </Text>
          )}
        </div>
      </ScrollArea>
    </Paper>
  );
}
