/**
 * /llm — the GGUF model catalog: register a model (a path on the server, or an upload), read its GGUF
 * metadata, deploy it (threads, context size, queue, licence acceptance), and open the endpoints' playgrounds.
 */
import { useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Checkbox, Group, Modal, NumberInput, Paper, SegmentedControl, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { uploadWithProgress } from '../api/upload.ts';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { useAction } from '../components/useAction.ts';
import { deployLlm, llmKeys, playgroundPath, registerByPath, useLlmEndpoints, useLlmModels, type LlmModel } from './api.ts';
import { formatBytes, formatParams } from './sse.ts';
import { ModelGovernance } from '../models/ModelGovernance.tsx';

function RegisterPanel() {
  const qc = useQueryClient();
  const [mode, setMode] = useState<'path' | 'upload'>('path');
  const [path, setPath] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [license, setLicense] = useState('');
  const { busy, error, attempt } = useAction();
  const [progress, setProgress] = useState(0);
  const [done, setDone] = useState<LlmModel | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await attempt(async () => {
      setDone(null);
      let model: LlmModel;
      if (mode === 'path') model = await registerByPath({ path: path.trim(), ...(name.trim() ? { name: name.trim() } : {}), ...(license.trim() ? { license: license.trim() } : {}) });
      else {
        const form = new FormData();
        if (name.trim()) form.append('name', name.trim());
        if (license.trim()) form.append('license', license.trim());
        form.append('file', file!);
        model = await uploadWithProgress<LlmModel>('/llm/models', form, setProgress).promise;
      }
      setDone(model);
      await qc.invalidateQueries({ queryKey: llmKeys.all });
      await qc.invalidateQueries({ queryKey: ['models'] });
    });
  };

  return (
    <Paper withBorder p="md" radius="md" mb="lg">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={4}>Register a GGUF model</Title>
            <SegmentedControl size="xs" value={mode} onChange={(v) => setMode(v as 'path' | 'upload')} data={[{ value: 'path', label: 'File on the server' }, { value: 'upload', label: 'Upload' }]} data-testid="llm-register-mode" />
          </Group>
          {mode === 'path' ? (
            <TextInput label="Path" description="Referenced where it lies (not copied); the server must be able to read it." placeholder="/models/codellama-7b-instruct.Q4_K_M.gguf" value={path} onChange={(e) => setPath(e.currentTarget.value)} required data-testid="llm-register-path" />
          ) : (
            <TextInput type="file" label="GGUF file" description="Stored in the artifact store." onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} required data-testid="llm-register-file" />
          )}
          <Group grow>
            <TextInput label="Name" placeholder="default: from the file name" value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="llm-register-name" />
            <TextInput label="Licence" placeholder="default: the file's general.license (e.g. llama2, apache-2.0, mit)" value={license} onChange={(e) => setLicense(e.currentTarget.value)} data-testid="llm-register-license" />
          </Group>
          <Group justify="flex-end">
            {busy && mode === 'upload' && <Text size="sm" c="dimmed">{Math.round(progress * 100)}% uploaded</Text>}
            <Button type="submit" loading={busy} disabled={mode === 'path' ? !path.trim() : !file} data-testid="llm-register-submit">
              Register
            </Button>
          </Group>
          {error !== null && <ErrorAlert error={error} title="Cannot register the model" />}
          {done && (
            <Text size="sm" c="teal" data-testid="llm-register-done">
              Registered {done.name}:{done.version}.
            </Text>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

function DeployDialog({ model, onClose }: { model: LlmModel; onClose: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const ctxMax = model.meta.gguf?.contextLength ?? 4096;
  const [name, setName] = useState(model.name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63) || 'llm');
  const [threads, setThreads] = useState<number | string>('');
  const [contextSize, setContextSize] = useState<number | string>(Math.min(ctxMax, 4096));
  const [maxQueue, setMaxQueue] = useState<number | string>(16);
  const [accept, setAccept] = useState(false);
  const { busy, error, attempt } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await attempt(async () => {
      const config: Record<string, unknown> = { contextSize: Number(contextSize), maxQueue: Number(maxQueue) };
      if (threads !== '') config.threads = Number(threads);
      if (accept) config.acceptEula = true;
      const ep = await deployLlm(name, `${model.name}:${model.version}`, config);
      await qc.invalidateQueries({ queryKey: llmKeys.all });
      await qc.invalidateQueries({ queryKey: ['endpoints'] });
      navigate(playgroundPath(ep.name));
    });
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <TextInput label="Endpoint name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-testid="llm-deploy-name" />
        <Group grow>
          <NumberInput label="Context size" min={32} max={ctxMax} value={contextSize} onChange={setContextSize} data-testid="llm-deploy-context" />
          <NumberInput label="Threads" placeholder="auto" min={1} max={256} value={threads} onChange={setThreads} data-testid="llm-deploy-threads" />
          <NumberInput label="Queue" description="waiting requests" min={0} value={maxQueue} onChange={setMaxQueue} data-testid="llm-deploy-queue" />
        </Group>
        {model.meta.requiresEula && (
          <Checkbox label={`I accept the licence of this model (${model.meta.license ?? 'Llama family'})`} checked={accept} onChange={(e) => setAccept(e.currentTarget.checked)} data-testid="llm-deploy-eula" />
        )}
        {error !== null && <ErrorAlert error={error} title="Cannot deploy" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} data-testid="llm-deploy-submit">
            Deploy
          </Button>
        </Group>
        {busy && <Text size="xs" c="dimmed">Loading the model…</Text>}
      </Stack>
    </form>
  );
}

const none = (
  <Text size="xs" c="dimmed">
    none
  </Text>
);

function columns(onDeploy: (m: LlmModel) => void, onGovern: (m: LlmModel) => void): Array<Column<LlmModel>> {
  return [
    {
      header: 'Model',
      cell: (m) => (
        <>
          <Text fw={600}>
            {m.name}:{m.version}
          </Text>
          <Text size="xs" c="dimmed">
            {m.meta.gguf?.name ?? ''} · {m.meta.source.type === 'path' ? <span title={m.meta.source.path}>referenced file</span> : 'artifact store'} · {formatBytes(m.meta.source.sizeBytes)}
          </Text>
        </>
      ),
    },
    { header: 'Architecture', cell: (m) => m.meta.gguf?.architecture },
    { header: 'Parameters', td: () => ({ className: 'sb-num', 'data-testid': 'llm-model-params' }), cell: (m) => (m.meta.gguf ? formatParams(m.meta.gguf.parameterCount) : '') },
    { header: 'Quantisation', cell: (m) => m.meta.gguf?.quantization },
    { header: 'Context', td: () => ({ className: 'sb-num', 'data-testid': 'llm-model-context' }), cell: (m) => m.meta.gguf?.contextLength ?? '?' },
    {
      header: 'Chat',
      cell: ({ meta: { gguf: g } }) =>
        g?.chatTemplate ? (
          <Tooltip label={<pre style={{ margin: 0, maxWidth: 480, whiteSpace: 'pre-wrap' }}>{g.chatTemplate.slice(0, 1200)}</pre>} multiline>
            <Badge variant="light">template</Badge>
          </Tooltip>
        ) : (
          none
        ),
    },
    { header: 'FIM', cell: ({ meta: { gguf: g } }) => (g?.specialTokens.fim ? <Badge variant="light" color="grape">{g.specialTokens.fim.template}</Badge> : none) },
    {
      header: 'Licence',
      cell: (m) => (
        <>
          <Text size="sm">{m.meta.license ?? '—'}</Text>
          {m.meta.requiresEula && (
            <Badge color="orange" variant="light" size="xs" data-testid="llm-model-eula">
              EULA
            </Badge>
          )}
        </>
      ),
    },
    { header: 'Status', td: () => ({ style: { minWidth: 90 } }), cell: (m) => <StatusBadge status={m.status} /> },
    {
      header: '',
      cell: (m) => (
        <Group gap={4} wrap="nowrap">
          <Button size="xs" variant="light" onClick={() => onDeploy(m)} disabled={m.status !== 'ready'} data-testid="llm-model-deploy">
            Deploy
          </Button>
          <Button size="xs" variant="subtle" onClick={() => onGovern(m)} data-testid="llm-model-governance">
            Governance
          </Button>
        </Group>
      ),
    },
  ];
}

export function LlmModelsPage() {
  const models = useLlmModels();
  const endpoints = useLlmEndpoints();
  const [deploying, setDeploying] = useState<LlmModel | null>(null);
  const [governing, setGoverning] = useState<LlmModel | null>(null);
  return (
    <>
      <PageHeader title="LLMs" description="GGUF models served with llama.cpp: TGI / JumpStart payloads, Llama-2 chat, OpenAI-compatible /v1, infill for code models." />
      <RegisterPanel />
      {endpoints.data && endpoints.data.length > 0 && (
        <Paper withBorder p="md" radius="md" mb="lg">
          <Title order={4} mb="xs">
            LLM endpoints
          </Title>
          <Group gap="xs">
            {endpoints.data.map((e) => (
              <Button key={e.id} component={Link} to={playgroundPath(e.name)} variant="light" size="xs" data-testid="llm-endpoint-link" data-endpoint={e.name}>
                {e.name} → playground
              </Button>
            ))}
          </Group>
        </Paper>
      )}
      <DataTable
        query={models}
        errorTitle="Cannot load LLM models"
        empty={
          <EmptyState title="No LLM models yet" data-testid="llm-models-empty">
            Register a GGUF file above (or <Anchor href="/api/openapi.json">POST /api/v1/llm/models</Anchor>, <code>sagebrush llm register FILE</code>).
          </EmptyState>
        }
        columns={columns(setDeploying, setGoverning)}
        rowKey={(m) => m.id}
        rowAttrs={(m) => ({ 'data-testid': 'llm-model-row', 'data-model': `${m.name}:${m.version}` })}
        minWidth={1000}
        highlightOnHover={false}
        data-testid="llm-models-table"
      />
      <Modal opened={deploying !== null} onClose={() => setDeploying(null)} title={deploying ? `Deploy ${deploying.name}:${deploying.version}` : ''} centered size="lg">
        {deploying && <DeployDialog model={deploying} onClose={() => setDeploying(null)} />}
      </Modal>
      <Modal opened={governing !== null} onClose={() => setGoverning(null)} title={governing ? `Governance of ${governing.name}:${governing.version}` : ''} centered size="xl">
        {governing && <ModelGovernance model={governing} />}
      </Modal>
    </>
  );
}
