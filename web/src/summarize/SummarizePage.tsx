import { useEffect, useMemo, useState } from 'react';
import { Accordion, Button, FileInput, Group, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { UploadIcon } from '../components/icons.tsx';
import { useAction } from '../components/useAction.ts';
import { useEndpoints } from '../models/api.ts';
import { startSummarize, uploadSummarize, useSummarizeDefaults, type SummarizeMode } from './api.ts';
import { EMPTY_FORM, formFields, requestOptions, type SummarizeForm } from './form.ts';
import { SummaryResult } from './SummaryResult.tsx';

type Source = 'paste' | 'upload';

const num = (v: string | number): number | '' => (typeof v === 'number' && Number.isFinite(v) ? v : '');

/** Paste or upload a document → a summarize.run job → progress → the summary with the map outputs expandable. */
export function SummarizePage() {
  const [params, setParams] = useSearchParams();
  const jobId = params.get('job');
  const [source, setSource] = useState<Source>('paste');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [form, setForm] = useState<SummarizeForm>(EMPTY_FORM);
  const { busy, error, attempt } = useAction();
  const set = <K extends keyof SummarizeForm>(k: K, v: SummarizeForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  const endpoints = useEndpoints();
  const llmEndpoints = useMemo(() => (endpoints.data?.items ?? []).filter((e) => e.kind === 'llm' || e.model?.kind === 'llm'), [endpoints.data]);
  const llm = form.engine !== 'extractive';
  const defaults = useSummarizeDefaults(llm ? form.engine : null, form.mode, form.maxNewTokens === '' ? null : form.maxNewTokens);
  const prompts = defaults.data?.prompts;
  const budget = defaults.data?.budget ?? null;

  // Show the default prompts in the editors (once loaded), so users edit from them.
  useEffect(() => {
    if (!prompts) return;
    setForm((f) => ({ ...f, mapPrompt: f.mapPrompt || prompts.map, combinePrompt: f.combinePrompt || prompts.combine, refinePrompt: f.refinePrompt || prompts.refine }));
  }, [prompts?.map]);

  const canSubmit = !busy && (source === 'paste' ? text.trim().length > 0 : file !== null);
  const submit = async () => {
    await attempt(async () => {
      const options = requestOptions(form, prompts);
      const res = source === 'paste' ? await startSummarize({ ...options, text }) : await uploadSummarize(formFields(options), file!);
      setParams({ job: res.job.id });
    });
  };

  return (
    <Stack>
      <PageHeader
        title="Summarize"
        description="Long documents (text, Markdown, text extracted from a PDF, or JSON Lines of documents): extractive without a model, or map-reduce / refine on an LLM endpoint sized from its context window."
      />
      <Paper withBorder p="md" radius="md">
        <Stack gap="md">
          <SegmentedControl
            value={source}
            onChange={(v) => setSource(v as Source)}
            data={[
              { value: 'paste', label: 'Paste text' },
              { value: 'upload', label: 'Upload a file' },
            ]}
            style={{ alignSelf: 'flex-start' }}
            data-testid="summarize-source"
          />
          {source === 'paste' ? (
            <Textarea
              label="Document"
              placeholder="Paste the document here…"
              autosize
              minRows={8}
              maxRows={20}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              description={text ? `${(text.match(/\S+/g) ?? []).length.toLocaleString('en-US')} words` : undefined}
              data-testid="summarize-text"
            />
          ) : (
            <FileInput
              label="Document"
              placeholder=".txt, .md or .jsonl"
              accept=".txt,.text,.md,.markdown,.jsonl,.ndjson"
              leftSection={<UploadIcon />}
              value={file}
              onChange={setFile}
              clearable
              data-testid="summarize-file"
            />
          )}
          <Group align="flex-end" gap="md" wrap="wrap">
            <Select
              label="Engine"
              value={form.engine}
              onChange={(v) => set('engine', v ?? 'extractive')}
              data={[{ value: 'extractive', label: 'Extractive (no model)' }, ...llmEndpoints.map((e) => ({ value: e.name, label: `LLM endpoint: ${e.name}` }))]}
              allowDeselect={false}
              w={280}
              data-testid="summarize-engine"
            />
            {llm ? (
              <SegmentedControl
                value={form.mode}
                onChange={(v) => set('mode', v as SummarizeMode)}
                data={[
                  { value: 'map-reduce', label: 'Map-reduce' },
                  { value: 'refine', label: 'Refine' },
                ]}
                data-testid="summarize-mode"
              />
            ) : (
              <NumberInput label="Length (words)" placeholder="10 % of the document, 50–400" min={10} value={form.maxWords} onChange={(v) => set('maxWords', num(v))} w={220} data-testid="summarize-words" />
            )}
          </Group>
          {llm && (
            <Accordion variant="contained" data-testid="summarize-llm-options">
              <Accordion.Item value="sizes">
                <Accordion.Control>
                  Sizes{' '}
                  <Text span size="xs" c="dimmed">
                    {budget ? `context ${budget.contextSize} tokens → chunk ${budget.chunkTokens}, overlap ${budget.chunkOverlap}, output ${budget.outputTokens}, token_max ${budget.tokenMax}` : 'derived from the endpoint’s context window'}
                  </Text>
                </Accordion.Control>
                <Accordion.Panel>
                  <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
                    <NumberInput label="Chunk size (tokens)" placeholder={budget ? String(budget.chunkTokens) : 'auto'} min={16} value={form.chunkSize} onChange={(v) => set('chunkSize', num(v))} />
                    <NumberInput label="Chunk overlap (tokens)" placeholder={budget ? String(budget.chunkOverlap) : 'auto'} min={0} value={form.chunkOverlap} onChange={(v) => set('chunkOverlap', num(v))} />
                    <NumberInput label="Output per call (tokens)" placeholder={budget ? String(budget.outputTokens) : 'auto'} min={1} value={form.maxNewTokens} onChange={(v) => set('maxNewTokens', num(v))} />
                    <NumberInput label="token_max (collapse above)" placeholder={budget ? String(budget.tokenMax) : 'auto'} min={16} value={form.tokenMax} onChange={(v) => set('tokenMax', num(v))} disabled={form.mode === 'refine'} />
                  </SimpleGrid>
                </Accordion.Panel>
              </Accordion.Item>
              <Accordion.Item value="prompts">
                <Accordion.Control>Prompts</Accordion.Control>
                <Accordion.Panel>
                  <Stack gap="sm">
                    <Textarea label="Map prompt ({text} = a chunk)" autosize minRows={4} value={form.mapPrompt} onChange={(e) => set('mapPrompt', e.currentTarget.value)} data-testid="summarize-map-prompt" />
                    {form.mode === 'map-reduce' ? (
                      <Textarea label="Combine prompt ({text} = the summaries)" autosize minRows={4} value={form.combinePrompt} onChange={(e) => set('combinePrompt', e.currentTarget.value)} />
                    ) : (
                      <Textarea label="Refine prompt ({existing_answer}, {text})" autosize minRows={6} value={form.refinePrompt} onChange={(e) => set('refinePrompt', e.currentTarget.value)} />
                    )}
                    <Group>
                      <Button variant="subtle" size="xs" onClick={() => prompts && setForm((f) => ({ ...f, mapPrompt: prompts.map, combinePrompt: prompts.combine, refinePrompt: prompts.refine }))}>
                        Reset to the defaults
                      </Button>
                    </Group>
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            </Accordion>
          )}
          {defaults.error && llm ? <ErrorAlert error={defaults.error} title="Cannot size the run for this endpoint" /> : null}
          {error !== null && <ErrorAlert error={error} title="Cannot start the summarization" />}
          <Group>
            <Button onClick={submit} loading={busy} disabled={!canSubmit} data-testid="summarize-submit">
              Summarize
            </Button>
          </Group>
        </Stack>
      </Paper>
      {jobId && <SummaryResult key={jobId} jobId={jobId} />}
    </Stack>
  );
}
