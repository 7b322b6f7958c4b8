/**
 * The playground's code view (C5): prefix and suffix around the cursor, filled in by /infill with the
 * model's FIM template; the inserted middle is highlighted between the dimmed prefix and suffix.
 */
import { useState } from 'react';
import { Button, Code, Group, Paper, Select, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { StatsLine, type RunStats } from './ParamsPanel.tsx';
import { clientTokensPerSecond, postSse, tgiParameters, type GenForm } from './sse.ts';

const TEMPLATES = ['codellama', 'starcoder', 'deepseek', 'qwen', 'codestral'];
const mono = { input: { fontFamily: 'var(--sb-mono)', fontSize: 12 } };

export function CodePanel({ endpoint, form, acceptEula, fim }: { endpoint: string; form: GenForm; acceptEula: boolean; fim: { name: string; label: string } | null }) {
  const [prefix, setPrefix] = useState('def fibonacci(n):\n    """Return the n-th Fibonacci number."""\n    ');
  const [suffix, setSuffix] = useState('\n    return a\n');
  const [template, setTemplate] = useState<string | null>(null);
  const [middle, setMiddle] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [stats, setStats] = useState<RunStats | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setMiddle('');
    setPrompt(null);
    const started = performance.now();
    let text = '';
    let n = 0;
    let first: number | null = null;
    let last: number | null = null;
    try {
      const body = { prefix, suffix, stream: true, parameters: { ...tgiParameters(form), ...(template ? { template } : {}) }, ...(acceptEula ? { accept_eula: true } : {}) };
      await postSse(`/api/v1/endpoints/${encodeURIComponent(endpoint)}/infill`, body, (e) => {
        const now = performance.now();
        if (e.done) {
          setMiddle(e.generated_text);
          setPrompt(e.prompt);
          setStats({ tokens: e.usage.completion_tokens, promptTokens: e.usage.prompt_tokens, tokensPerSecond: e.timings.tokens_per_second, ttftMs: e.timings.time_to_first_token * 1000, finish: `${e.finish_reason} · ${e.template}${e.native_tokens ? '' : ' (markers as text)'}` });
          return;
        }
        first ??= now;
        last = now;
        n++;
        text += e.text;
        setMiddle(text);
        setStats({ tokens: n, tokensPerSecond: clientTokensPerSecond(n, first, last), ttftMs: first - started, finish: null });
      });
    } catch (err) {
      setError(err);
      setMiddle(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm" data-testid="pg-code">
      <Text size="sm" c="dimmed">
        Fill-in-the-middle template: {fim ? <b>{fim.label}</b> : <>none detected in this model's vocabulary — pick one to try the plumbing (its markers are then plain text)</>}
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Textarea label="Prefix (before the cursor)" autosize minRows={5} maxRows={16} value={prefix} onChange={(e) => setPrefix(e.currentTarget.value)} styles={mono} data-testid="pg-code-prefix" />
        <Textarea label="Suffix (after the cursor)" autosize minRows={5} maxRows={16} value={suffix} onChange={(e) => setSuffix(e.currentTarget.value)} styles={mono} data-testid="pg-code-suffix" />
      </SimpleGrid>
      <Group justify="space-between" align="flex-end">
        <Select label="Template" placeholder={fim ? `auto (${fim.name})` : 'auto'} clearable data={TEMPLATES} value={template} onChange={setTemplate} w={220} data-testid="pg-code-template" />
        <Button onClick={run} loading={busy} data-testid="pg-code-run">
          Fill in the middle
        </Button>
      </Group>
      <StatsLine stats={stats} busy={busy} />
      {error !== null && <ErrorAlert error={error} title="Infill failed" />}
      {middle !== null && (
        <Paper withBorder p="sm" radius="md">
          <pre className="sb-mono" style={{ margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="pg-code-result">
            <span style={{ opacity: 0.55 }}>{prefix}</span>
            <mark style={{ background: 'var(--mantine-color-yellow-light)', color: 'inherit', outline: '1px solid var(--mantine-color-yellow-filled)' }} data-testid="pg-code-middle">
              {middle}
            </mark>
            <span style={{ opacity: 0.55 }}>{suffix}</span>
          </pre>
          {prompt && (
            <Text size="xs" c="dimmed" mt="xs">
              Prompt: <Code>{prompt.length > 300 ? `${prompt.slice(0, 300)}…` : prompt}</Code>
            </Text>
          )}
        </Paper>
      )}
    </Stack>
  );
}
