/** The playground's chat view: a dialog streamed from /v1/chat/completions with the model's chat template. */
import { useRef, useState } from 'react';
import { Button, Group, Paper, ScrollArea, Stack, Text, Textarea } from '@mantine/core';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { StatsLine, type RunStats } from './ParamsPanel.tsx';
import { clientTokensPerSecond, openAiParameters, postSse, type GenForm } from './sse.ts';

interface Message {
  role: 'user' | 'assistant';
  content: string;
}

export function ChatPanel({ endpoint, form, acceptEula }: { endpoint: string; form: GenForm; acceptEula: boolean }) {
  const [system, setSystem] = useState('');
  const [messages, setMessages] = useState<Message[]>([]);
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [stats, setStats] = useState<RunStats | null>(null);
  const abort = useRef<AbortController | null>(null);

  const send = async () => {
    const text = input.trim();
    if (!text || busy) return;
    const history: Message[] = [...messages, { role: 'user', content: text }];
    setMessages([...history, { role: 'assistant', content: '' }]);
    setInput('');
    setBusy(true);
    setError(null);
    const started = performance.now();
    let first: number | null = null;
    let last: number | null = null;
    let tokens = 0;
    let reply = '';
    setStats({ tokens: 0, tokensPerSecond: null, ttftMs: null, finish: null });
    abort.current = new AbortController();
    try {
      const body = { model: endpoint, stream: true, messages: [...(system.trim() ? [{ role: 'system', content: system.trim() }] : []), ...history], ...openAiParameters(form), ...(acceptEula ? { accept_eula: true } : {}) };
      await postSse(
        '/v1/chat/completions',
        body,
        (chunk) => {
          const piece: string | undefined = chunk.choices?.[0]?.delta?.content;
          const now = performance.now();
          if (piece) {
            first ??= now;
            last = now;
            tokens++;
            reply += piece;
            setMessages([...history, { role: 'assistant', content: reply }]);
          }
          if (chunk.usage) {
            setStats({ tokens: chunk.usage.completion_tokens, promptTokens: chunk.usage.prompt_tokens, tokensPerSecond: chunk.timings?.tokens_per_second ?? clientTokensPerSecond(tokens, first, last), ttftMs: (chunk.timings?.time_to_first_token ?? 0) * 1000, finish: chunk.choices?.[0]?.finish_reason ?? null });
          } else setStats({ tokens, tokensPerSecond: clientTokensPerSecond(tokens, first, last), ttftMs: first === null ? null : first - started, finish: null });
        },
        { signal: abort.current.signal },
      );
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err);
    } finally {
      setBusy(false);
      abort.current = null;
    }
  };

  return (
    <Stack gap="sm" data-testid="pg-chat">
      <Textarea label="System prompt" placeholder="optional" autosize minRows={1} maxRows={4} value={system} onChange={(e) => setSystem(e.currentTarget.value)} data-testid="pg-chat-system" />
      <Paper withBorder radius="md" p="sm">
        <ScrollArea.Autosize mah={420}>
          {messages.length === 0 && <Text size="sm" c="dimmed">No messages yet.</Text>}
          <Stack gap="xs">
            {messages.map((m, i) => (
              <Paper key={i} p="xs" radius="sm" bg={m.role === 'user' ? 'var(--mantine-color-default-hover)' : 'var(--mantine-color-teal-light)'} data-testid={`pg-chat-${m.role}`}>
                <Text size="xs" fw={600} c="dimmed">
                  {m.role}
                </Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {m.content || (busy && i === messages.length - 1 ? '…' : '')}
                </Text>
              </Paper>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Paper>
      <Textarea
        placeholder="Your message (Ctrl+Enter sends)"
        autosize
        minRows={2}
        value={input}
        onChange={(e) => setInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
        }}
        data-testid="pg-chat-input"
      />
      <Group justify="space-between">
        <StatsLine stats={stats} busy={busy} />
        <Group gap="xs">
          <Button variant="default" onClick={() => setMessages([])} disabled={busy || messages.length === 0}>
            Clear
          </Button>
          {busy ? (
            <Button color="red" variant="light" onClick={() => abort.current?.abort()}>
              Stop
            </Button>
          ) : (
            <Button onClick={send} disabled={!input.trim()} data-testid="pg-chat-send">
              Send
            </Button>
          )}
        </Group>
      </Group>
      {error !== null && <ErrorAlert error={error} title="Generation failed" />}
    </Stack>
  );
}
