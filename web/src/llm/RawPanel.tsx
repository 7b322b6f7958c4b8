/**
 * The playground's raw payload view: edit the JSON sent to /invocations (TGI / JumpStart / Llama-2 chat) or
 * the OpenAI routes, stream the answer when the payload asks for it, and read the JSON that came back.
 */
import { useState } from 'react';
import { Button, Code, Group, Paper, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { api } from '../api/client.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { StatsLine, type RunStats } from './ParamsPanel.tsx';
import { clientTokensPerSecond, openAiParameters, postSse, tgiParameters, type GenForm } from './sse.ts';

type Target = 'invocations' | 'completions' | 'chat';

function defaultPayload(target: Target, endpoint: string, form: GenForm): string {
  if (target === 'invocations') return JSON.stringify({ inputs: 'Once upon a time', parameters: tgiParameters(form), stream: true }, null, 2);
  if (target === 'completions') return JSON.stringify({ model: endpoint, prompt: 'Once upon a time', ...openAiParameters(form), stream: true }, null, 2);
  return JSON.stringify({ model: endpoint, messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: 'Tell me a story.' }], ...openAiParameters(form), stream: true }, null, 2);
}

function url(target: Target, endpoint: string): string {
  return target === 'invocations' ? `/api/v1/endpoints/${encodeURIComponent(endpoint)}/invocations` : target === 'completions' ? '/v1/completions' : '/v1/chat/completions';
}

/** The text piece an event carries, in any of the three streaming formats. */
function pieceOf(e: any): string {
  if (e.token && e.generated_text === null) return e.token.text ?? '';
  return e.choices?.[0]?.text ?? e.choices?.[0]?.delta?.content ?? '';
}

export function RawPanel({ endpoint, form, acceptEula }: { endpoint: string; form: GenForm; acceptEula: boolean }) {
  const [target, setTarget] = useState<Target>('invocations');
  const [payload, setPayload] = useState(() => defaultPayload('invocations', endpoint, form));
  const [output, setOutput] = useState('');
  const [response, setResponse] = useState<unknown>(null);
  const { busy, error, setError, attempt } = useAction();
  const [stats, setStats] = useState<RunStats | null>(null);

  const send = async () => {
    let body: any;
    try {
      body = JSON.parse(payload);
    } catch (e) {
      setError(new Error(`The payload is not valid JSON: ${(e as Error).message}`));
      return;
    }
    if (acceptEula) body.accept_eula = true;
    await attempt(async () => {
      setOutput('');
      setResponse(null);
      setStats(null);
      const started = performance.now();
      if (body.stream) {
        let text = '';
        let n = 0;
        let first: number | null = null;
        let last: number | null = null;
        const events: unknown[] = [];
        await postSse(url(target, endpoint), body, (e) => {
          events.push(e);
          const piece = pieceOf(e);
          const now = performance.now();
          if (piece) {
            first ??= now;
            last = now;
            n++;
            text += piece;
            setOutput(text);
          }
          const details = e.details ?? (e.usage ? { ...e.timings, generated_tokens: e.usage.completion_tokens, prompt_tokens: e.usage.prompt_tokens, finish_reason: e.choices?.[0]?.finish_reason } : null);
          if (details) setStats({ tokens: details.generated_tokens ?? n, promptTokens: details.prompt_tokens, tokensPerSecond: details.tokens_per_second ?? clientTokensPerSecond(n, first, last), ttftMs: (details.time_to_first_token ?? 0) * 1000, finish: details.finish_reason ?? null });
          else setStats({ tokens: n, tokensPerSecond: clientTokensPerSecond(n, first, last), ttftMs: first === null ? null : first - started, finish: null });
        });
        setResponse(events.at(-1) ?? null);
      } else {
        const res = await api<unknown>(url(target, endpoint), { method: 'POST', body });
        setResponse(res);
        setStats({ tokens: 0, tokensPerSecond: null, ttftMs: null, finish: `answered in ${Math.round(performance.now() - started)} ms` });
      }
    });
  };

  return (
    <Stack gap="sm" data-testid="pg-raw">
      <Group justify="space-between">
        <SegmentedControl
          size="xs"
          value={target}
          onChange={(v) => {
            setTarget(v as Target);
            setPayload(defaultPayload(v as Target, endpoint, form));
          }}
          data={[{ value: 'invocations', label: 'TGI / JumpStart /invocations' }, { value: 'completions', label: 'OpenAI /v1/completions' }, { value: 'chat', label: 'OpenAI /v1/chat/completions' }]}
          data-testid="pg-raw-target"
        />
        <Button variant="subtle" size="xs" onClick={() => setPayload(defaultPayload(target, endpoint, form))}>
          Reset from parameters
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        POST <Code>{url(target, endpoint)}</Code> — Llama-2 chat: <Code>{'{"inputs": [[{"role": "user", "content": "…"}]]}'}</Code>
      </Text>
      <Textarea autosize minRows={8} maxRows={20} value={payload} onChange={(e) => setPayload(e.currentTarget.value)} styles={{ input: { fontFamily: 'var(--sb-mono)', fontSize: 12 } }} data-testid="pg-raw-payload" />
      <Group justify="space-between">
        <StatsLine stats={stats} busy={busy} />
        <Button onClick={send} loading={busy} data-testid="pg-raw-send">
          Send
        </Button>
      </Group>
      {error !== null && <ErrorAlert error={error} title="Request failed" />}
      {output && (
        <Paper withBorder p="sm" radius="md">
          <Text size="xs" c="dimmed" mb={4}>
            Streamed text
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="pg-raw-output">
            {output}
          </Text>
        </Paper>
      )}
      {response !== null && (
        <Paper withBorder p="sm" radius="md">
          <Text size="xs" c="dimmed" mb={4}>
            {output ? 'Last event' : 'Response'}
          </Text>
          <pre className="sb-mono" style={{ margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="pg-raw-response">
            {JSON.stringify(response, null, 2)}
          </pre>
        </Paper>
      )}
    </Stack>
  );
}
