import { useState } from 'react';
import { Accordion, Anchor, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ApiError } from '../api/client.ts';
import { authDownloadClick } from '../api/download.ts';
import { isTerminal } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { cancelJob, useJob } from '../jobs/hooks.ts';
import { fileUrl, useSummarizeJob, type SummarizeResult } from './api.ts';
import { IntermediateGroups } from './IntermediateGroups.tsx';

function Stats({ r }: { r: SummarizeResult }) {
  const inputWords = r.documents.reduce((s, d) => s + d.inputWords, 0);
  const words = r.documents.reduce((s, d) => s + d.words, 0);
  const engine = r.engine === 'extractive' ? 'extractive' : `${r.mode} on ${r.engine.endpoint}`;
  return (
    <Text size="sm" c="dimmed" data-testid="summary-stats">
      {engine} · {inputWords.toLocaleString('en-US')} → {words.toLocaleString('en-US')} words · {r.chunks} chunk{r.chunks === 1 ? '' : 's'}
      {r.llmCalls > 0 ? ` · ${r.llmCalls} LLM calls (${r.promptTokens.toLocaleString('en-US')} + ${r.completionTokens.toLocaleString('en-US')} tokens)` : ''}
      {r.tokenMax !== null ? ` · token_max ${r.tokenMax}` : ''} · {r.seconds.toFixed(2)} s
    </Text>
  );
}

/** Follows a summarize.run job: progress (cancellable), then the summary, the chosen sentences or the map outputs. */
export function SummaryResult({ jobId }: { jobId: string }) {
  const { data: job, error } = useJob(jobId);
  const terminal = isTerminal(job?.status);
  const view = useSummarizeJob(jobId, terminal);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const r = view.data?.result ?? null;
  const partial = view.data?.partial ?? null;

  return (
    <Paper withBorder p="md" radius="md" data-testid="summary-panel">
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={4}>Summary</Title>
          <Anchor component={Link} to={`/jobs/${jobId}`} size="sm">
            job {jobId}
          </Anchor>
        </Group>
        {error ? <ErrorAlert error={error} /> : null}
        {!terminal && (
          <Group align="flex-end" wrap="nowrap" data-testid="summary-progress">
            <div style={{ flex: 1 }}>
              <ProgressBar value={job?.progress ?? 0} status={job?.status ?? 'queued'} label={job?.message || job?.status || 'queued'} />
            </div>
            <Button variant="default" size="xs" onClick={() => void cancelJob(jobId)} data-testid="summary-cancel">
              Cancel
            </Button>
          </Group>
        )}
        {terminal && job && job.status !== 'succeeded' && (
          <Stack gap="sm" data-testid="summary-failed">
            <ErrorAlert
              error={new ApiError(0, { code: job.error?.code ?? (job.status === 'cancelled' ? 'CANCELLED' : 'FAILED'), detail: job.error?.message ?? `The summarization was ${job.status}.`, problems: job.error?.problems ?? [] })}
              title={job.status === 'cancelled' ? 'Cancelled' : 'The summarization failed'}
            />
            {partial && partial.intermediate.length > 0 && (
              <>
                <Text size="sm">Intermediate summaries made before it stopped:</Text>
                <IntermediateGroups calls={partial.intermediate} />
              </>
            )}
          </Stack>
        )}
        {r && (
          <Stack gap="md">
            <Stats r={r} />
            <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="summary-text">
              {r.summary}
            </Text>
            <Group gap="xs">
              <Button component="a" href={fileUrl(jobId, 'summary.md')} download="summary.md" variant="default" size="xs" onClick={authDownloadClick(fileUrl(jobId, 'summary.md'), 'summary.md', setDownloadError)}>
                Download summary.md
              </Button>
              <Button component="a" href={fileUrl(jobId, 'result.json')} download="result.json" variant="default" size="xs" onClick={authDownloadClick(fileUrl(jobId, 'result.json'), 'result.json', setDownloadError)}>
                Download result.json (all intermediate outputs)
              </Button>
            </Group>
            {downloadError !== null && <ErrorAlert error={downloadError} title="Download failed" />}
            {r.intermediate.length > 0 && (
              <Stack gap="xs">
                <Text fw={600} size="sm">
                  Map, collapse and combine outputs ({r.intermediate.length} calls, by stage)
                </Text>
                <IntermediateGroups calls={r.intermediate} />
              </Stack>
            )}
            {r.engine === 'extractive' && r.documents.some((d) => (d.sentences ?? []).length > 0) && (
              <Accordion variant="contained" data-testid="summary-sentences">
                <Accordion.Item value="sentences">
                  <Accordion.Control>Chosen sentences and their scores</Accordion.Control>
                  <Accordion.Panel>
                    <Table striped withTableBorder fz="sm">
                      <Table.Thead>
                        <Table.Tr>
                          {r.documents.length > 1 && <Table.Th>document</Table.Th>}
                          <Table.Th>#</Table.Th>
                          <Table.Th>section</Table.Th>
                          <Table.Th>score</Table.Th>
                          <Table.Th>sentence</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {r.documents.flatMap((d) =>
                          (d.sentences ?? []).map((s) => (
                            <Table.Tr key={`${d.id}-${s.index}`}>
                              {r.documents.length > 1 && <Table.Td>{d.id}</Table.Td>}
                              <Table.Td>{s.index + 1}</Table.Td>
                              <Table.Td>{s.section}</Table.Td>
                              <Table.Td>{s.score.toFixed(3)}</Table.Td>
                              <Table.Td>{s.text}</Table.Td>
                            </Table.Tr>
                          )),
                        )}
                      </Table.Tbody>
                    </Table>
                  </Accordion.Panel>
                </Accordion.Item>
              </Accordion>
            )}
          </Stack>
        )}
        {view.error ? <ErrorAlert error={view.error} /> : null}
      </Stack>
    </Paper>
  );
}
