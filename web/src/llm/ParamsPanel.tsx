/** Generation parameters shared by the playground's chat, raw and code views, and the speed read-out. */
import { Group, NumberInput, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import type { GenForm } from './sse.ts';

export interface RunStats {
  tokens: number;
  tokensPerSecond: number | null;
  ttftMs: number | null;
  finish: string | null;
  promptTokens?: number;
}

export const DEFAULT_FORM: GenForm = { maxNewTokens: 64, temperature: 0, topP: '', topK: '', seed: '', stop: '' };

export function ParamsPanel({ form, onChange, contextSize }: { form: GenForm; onChange: (f: GenForm) => void; contextSize?: number }) {
  const set = <K extends keyof GenForm>(k: K, v: GenForm[K]) => onChange({ ...form, [k]: v });
  const num = (v: string | number) => (v === '' ? '' : Number(v));
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Title order={5}>Parameters</Title>
        <NumberInput label="max_new_tokens" min={1} max={contextSize} value={form.maxNewTokens} onChange={(v) => set('maxNewTokens', Number(v) || 1)} data-testid="pg-max-new-tokens" />
        <NumberInput label="temperature" description="0 = greedy" min={0} max={2} step={0.1} decimalScale={2} value={form.temperature} onChange={(v) => set('temperature', Number(v) || 0)} data-testid="pg-temperature" />
        <Group grow>
          <NumberInput label="top_p" min={0.01} max={1} step={0.05} decimalScale={2} value={form.topP} onChange={(v) => set('topP', num(v) as number | '')} />
          <NumberInput label="top_k" min={1} value={form.topK} onChange={(v) => set('topK', num(v) as number | '')} />
        </Group>
        <NumberInput label="seed" min={0} value={form.seed} onChange={(v) => set('seed', num(v) as number | '')} />
        <Textarea label="stop" description="one per line (\n for a newline)" autosize minRows={1} maxRows={4} value={form.stop} onChange={(e) => set('stop', e.currentTarget.value)} />
      </Stack>
    </Paper>
  );
}

export function StatsLine({ stats, busy }: { stats: RunStats | null; busy?: boolean }) {
  if (!stats) return null;
  return (
    <Text size="xs" c="dimmed" className="sb-num" data-testid="pg-stats">
      {stats.tokens} tokens
      {stats.tokensPerSecond !== null && (
        <>
          {' · '}
          <b data-testid="pg-tokens-per-second">{stats.tokensPerSecond.toFixed(1)} tokens/s</b>
        </>
      )}
      {stats.ttftMs !== null && ` · first token ${Math.round(stats.ttftMs)} ms`}
      {stats.promptTokens !== undefined && ` · prompt ${stats.promptTokens} tokens`}
      {stats.finish && ` · ${stats.finish}`}
      {busy && ' · generating…'}
    </Text>
  );
}
