/**
 * /llm/endpoints/:name — the playground of one LLM endpoint: chat (the model's chat template), the raw
 * payload (TGI / JumpStart / OpenAI JSON), and code infill, with shared parameters, streaming output and
 * tokens/s. The header shows what was loaded: model, context, threads, templates, queue.
 */
import { useState } from 'react';
import { Anchor, Badge, Checkbox, Grid, Group, Loader, Paper, Tabs, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useLlmEndpointInfo } from './api.ts';
import { ChatPanel } from './ChatPanel.tsx';
import { CodePanel } from './CodePanel.tsx';
import { DEFAULT_FORM, ParamsPanel } from './ParamsPanel.tsx';
import { RawPanel } from './RawPanel.tsx';
import { formatParams, type GenForm } from './sse.ts';

export function PlaygroundPage() {
  const name = useParams().name ?? '';
  const info = useLlmEndpointInfo(name);
  const [form, setForm] = useState<GenForm>(DEFAULT_FORM);
  const [accept, setAccept] = useState(false);
  const [tab, setTab] = useState<string | null>('chat');
  const i = info.data;
  return (
    <>
      <PageHeader
        title={`Playground · ${name}`}
        description={
          <>
            <Anchor component={Link} to="/llm" size="sm">
              LLMs
            </Anchor>{' '}
            · TGI / JumpStart <code>POST /api/v1/endpoints/{name}/invocations</code>, OpenAI <code>/v1/chat/completions</code> (model “{name}”)
          </>
        }
      />
      {info.isPending && <Loader />}
      {info.error && <ErrorAlert error={info.error} title="Cannot load the endpoint" />}
      {i && (
        <Paper withBorder p="sm" radius="md" mb="md" data-testid="pg-info">
          <Group gap="md">
            <Text size="sm">
              <b>
                {i.model.name}:{i.model.version}
              </b>
              {i.gguf && ` · ${i.gguf.architecture} · ${formatParams(i.gguf.parameterCount)} · ${i.gguf.quantization}`}
            </Text>
            <Badge variant="light" data-testid="pg-context">context {i.contextSize}</Badge>
            <Badge variant="light">threads {i.threads}</Badge>
            <Badge variant="light">chat: {i.chatTemplate}</Badge>
            <Badge variant="light" color={i.fimTemplate ? 'grape' : 'gray'}>FIM: {i.fimTemplate?.name ?? 'none'}</Badge>
            <Badge variant="light" color="gray">
              queue {i.queue.running}+{i.queue.waiting}/{i.queue.maxQueue} · served {i.queue.served} · 429 {i.queue.rejected}
            </Badge>
            {i.requiresEula && <Checkbox size="xs" label={`accept licence (${i.license ?? 'Llama family'})`} checked={accept} onChange={(e) => setAccept(e.currentTarget.checked)} />}
          </Group>
        </Paper>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 9 }}>
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List mb="sm">
              <Tabs.Tab value="chat" data-testid="pg-tab-chat">
                Chat
              </Tabs.Tab>
              <Tabs.Tab value="raw" data-testid="pg-tab-raw">
                Raw payload
              </Tabs.Tab>
              <Tabs.Tab value="code" data-testid="pg-tab-code">
                Code (infill)
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="chat">
              <ChatPanel endpoint={name} form={form} acceptEula={accept} />
            </Tabs.Panel>
            <Tabs.Panel value="raw">
              <RawPanel endpoint={name} form={form} acceptEula={accept} />
            </Tabs.Panel>
            <Tabs.Panel value="code">
              <CodePanel endpoint={name} form={form} acceptEula={accept} fim={i?.fimTemplate ?? null} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 3 }}>
          <ParamsPanel form={form} onChange={setForm} contextSize={i?.contextSize} />
        </Grid.Col>
      </Grid>
    </>
  );
}
