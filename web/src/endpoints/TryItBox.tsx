import { useState } from 'react';
import { Button, Group, Kbd, Stack, Text, Textarea } from '@mantine/core';
import type { ClassifyResult } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { classify } from '../models/api.ts';
import type { LiveRule } from '../models/decision.ts';
import { readScores } from '../models/metrics.ts';
import { ScoreBars } from './ScoreBars.tsx';

const MAX_BYTES = 10 * 1024;

/** A textarea sent to POST /endpoints/{name}/classify; the scores appear as bars (marked with the live rule when known). */
export function TryItBox({ endpoint, placeholder, rule }: { endpoint: string; placeholder?: string; rule?: LiveRule | null }) {
  const [text, setText] = useState('');
  const { busy, error, attempt } = useAction();
  const [result, setResult] = useState<{ text: string; answer: ClassifyResult; ms: number } | null>(null);
  const bytes = new TextEncoder().encode(text).length;

  const run = async () => {
    if (!text.trim() || busy) return;
    await attempt(async () => {
      const t0 = performance.now();
      const answer = await classify(endpoint, text);
      setResult({ text, answer, ms: performance.now() - t0 });
    });
  };

  return (
    <Stack gap="sm" data-testid="try-it">
      <Textarea
        placeholder={placeholder ?? 'Type or paste a document to classify…'}
        autosize
        minRows={3}
        maxRows={10}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void run();
        }}
        error={bytes > MAX_BYTES ? `${bytes.toLocaleString('en-US')} bytes: real-time analysis takes up to 10 KB; use a batch job for longer documents.` : undefined}
        data-testid="try-it-text"
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> to classify · endpoint <b>{endpoint}</b>
        </Text>
        <Button onClick={run} loading={busy} disabled={!text.trim() || bytes > MAX_BYTES} data-testid="try-it-submit">
          Classify
        </Button>
      </Group>
      {error !== null && <ErrorAlert error={error} title="Classification failed" />}
      {result && (
        <Stack gap={6} data-testid="try-it-result">
          <ScoreBars {...readScores(result.answer)} rule={rule} />
          <Text size="xs" c="dimmed">
            Answered in {Math.round(result.ms)} ms{result.text !== text ? ' (for the previous text)' : ''}.
          </Text>
        </Stack>
      )}
    </Stack>
  );
}
