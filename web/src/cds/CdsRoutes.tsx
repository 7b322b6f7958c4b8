import { useEffect, useMemo, useState } from 'react';
import { Badge, Button, Checkbox, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import CodeMirror, { EditorView } from '@uiw/react-codemirror';
import { json } from '@codemirror/lang-json';
import { Route, Routes } from 'react-router';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatDate } from '../components/format.ts';
import { orderForCode, tryHook, useCall, useCalls, useFeedback, usePatients, usePolicyCodes, useSamples, type CallSummary, type FeedbackRow, type TryResult } from './api.ts';
import { CardView } from './CardView.tsx';
import { CoverageTable } from './CoverageTable.tsx';
import { EhrView } from './EhrView.tsx';

const HOOKS = ['order-select', 'order-sign', 'order-dispatch', 'patient-view'] as const;
const CUSTOM = '__custom__';

function JsonView({ value, testId, height = '420px' }: { value: unknown; testId: string; height?: string }) {
  return (
    <div data-testid={testId}>
      <CodeMirror value={JSON.stringify(value, null, 2)} height={height} extensions={[json(), EditorView.lineWrapping]} editable={false} basicSetup={{ lineNumbers: true, foldGutter: true }} />
    </div>
  );
}

/** The CDS Hooks Sandbox: pick a patient and a draft order, fire a hook, see cards + coverage information + raw JSON. */
function SandboxPage() {
  const qc = useQueryClient();
  const [search, setSearch] = useState('');
  const [patientId, setPatientId] = useState<string | null>(null);
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  // Search the store by name; once a patient is picked the input shows its label, which is not a name query.
  const patients = usePatients(picked && search === picked.label ? '' : search);
  const samples = useSamples();
  const [sampleId, setSampleId] = useState<string>('amoxicillin');
  const [orderText, setOrderText] = useState('');
  const [prefetch, setPrefetch] = useState(true);
  const [coverageInfo, setCoverageInfo] = useState(true);
  const [maxCards, setMaxCards] = useState<number | string>(10);
  const [result, setResult] = useState<TryResult | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const policy = usePolicyCodes();
  const policyCodes = useMemo(() => {
    const seen = new Map<string, { system: string; code: string; display: string }>();
    for (const r of policy.data?.rows ?? []) if (!seen.has(`${r.system}|${r.code}`)) seen.set(`${r.system}|${r.code}`, r);
    return [...seen.entries()].map(([key, r]) => ({ value: `policy:${key}`, label: `Policy table: ${r.code} ${r.display}`, row: r }));
  }, [policy.data]);

  // Show the chosen sample's JSON in the editor (users edit from it).
  useEffect(() => {
    const s = samples.data?.items.find((x) => x.id === sampleId);
    const p = policyCodes.find((x) => x.value === sampleId);
    if (s) setOrderText(JSON.stringify(s.resource, null, 2));
    else if (p) setOrderText(JSON.stringify(orderForCode(p.row), null, 2));
  }, [sampleId, samples.data, policyCodes]);

  const patientOptions = useMemo(() => {
    const options = (patients.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name || p.id}${p.birthDate ? ` · ${p.birthDate}` : ''}${p.coverage ? ` · ${p.coverage}` : ' · no coverage'}` }));
    return picked && !options.some((o) => o.value === picked.value) ? [picked, ...options] : options;
  }, [patients.data, picked]);

  async function fire(hook: (typeof HOOKS)[number]) {
    if (!patientId) return;
    setError(null);
    setBusy(hook);
    try {
      let order: unknown;
      if (hook !== 'patient-view') {
        try {
          order = JSON.parse(orderText);
        } catch (err) {
          throw new Error(`The order is not valid JSON: ${(err as Error).message}`);
        }
      }
      const extension = { 'davinci-crd.configuration': { 'coverage-info': coverageInfo, 'max-cards': typeof maxCards === 'number' ? maxCards : 10 } };
      setResult(await tryHook({ hook, patientId, order, prefetch, extension }));
      void qc.invalidateQueries({ queryKey: ['cds-calls'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const cards = result?.response.cards ?? [];
  const failed = result && result.status !== 200;
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md">
          <Stack gap="sm">
            <Select
              label="Patient"
              placeholder={patients.isLoading ? 'Loading patients…' : 'Search by name'}
              searchable
              searchValue={search}
              onSearchChange={setSearch}
              data={patientOptions}
              value={patientId}
              onChange={(v, option) => {
                setPatientId(v);
                setPicked(v && option ? { value: v, label: option.label } : null);
              }}
              nothingFoundMessage="No patients: import Synthea bundles on the Patients (FHIR) page"
              data-testid="cds-patient"
              filter={({ options }) => options}
            />
            <Select
              label="Draft order"
              data={[...(samples.data?.items ?? []).map((s) => ({ value: s.id, label: s.label })), ...policyCodes.map(({ value, label }) => ({ value, label })), { value: CUSTOM, label: 'Custom (edit the JSON below)' }]}
              searchable
              value={sampleId}
              onChange={(v) => setSampleId(v ?? CUSTOM)}
              allowDeselect={false}
              data-testid="cds-order"
            />
            <Group gap="lg">
              <Checkbox label="Send prefetch (like an EHR)" checked={prefetch} onChange={(e) => setPrefetch(e.currentTarget.checked)} />
              <Checkbox label="coverage-info" checked={coverageInfo} onChange={(e) => setCoverageInfo(e.currentTarget.checked)} />
              <NumberInput label="max-cards" value={maxCards} onChange={setMaxCards} min={0} max={50} w={110} size="xs" />
            </Group>
            <Group>
              {HOOKS.map((h) => (
                <Button key={h} onClick={() => void fire(h)} disabled={!patientId} loading={busy === h} data-testid={`cds-fire-${h}`} variant={h === 'order-sign' ? 'filled' : 'light'}>
                  {h}
                </Button>
              ))}
            </Group>
            <ErrorAlert error={error} />
          </Stack>
        </Paper>
        <Paper withBorder p="xs">
          <Text size="sm" fw={500} mb={4}>
            Order (FHIR JSON, becomes context.draftOrders)
          </Text>
          <div data-testid="cds-order-editor">
            <CodeMirror value={orderText} height="260px" extensions={[json(), EditorView.lineWrapping]} onChange={(v) => { setOrderText(v); setSampleId(CUSTOM); }} />
          </div>
        </Paper>
      </SimpleGrid>

      {result && (
        <Stack gap="sm">
          <Group gap="sm" data-testid="cds-status">
            <Title order={4}>{result.serviceId}</Title>
            <Badge color={failed ? 'red' : 'teal'}>HTTP {result.status}</Badge>
            {result.durationMs !== null && <Text size="sm" c="dimmed">{result.durationMs.toFixed(1)} ms</Text>}
            <Text size="sm" c="dimmed">prefetch: {Object.entries(result.prefetch).map(([k, v]) => `${k} ${v}`).join(' · ') || '—'}</Text>
          </Group>
          {failed ? (
            <ErrorAlert error={new Error(result.response.issue?.map((i) => i.diagnostics).join('\n') ?? `HTTP ${result.status}`)} title={`The service answered ${result.status}`} />
          ) : (
            <>
              <Title order={5}>Cards ({cards.length})</Title>
              {cards.length === 0 ? (
                <Text c="dimmed" size="sm" data-testid="cds-no-cards">No cards: {'{"cards": []}'}</Text>
              ) : (
                cards.map((c, i) => <CardView key={c.uuid ?? i} card={c} serviceId={result.serviceId} onFeedback={() => void qc.invalidateQueries({ queryKey: ['cds-feedback'] })} />)
              )}
              <Title order={5}>Coverage information (system actions)</Title>
              <CoverageTable rows={result.coverageInformation} />
            </>
          )}
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Stack gap={4}>
              <Text fw={500} size="sm">Request (as an EHR sends it)</Text>
              <JsonView value={result.request} testId="cds-request-json" />
            </Stack>
            <Stack gap={4}>
              <Text fw={500} size="sm">Response</Text>
              <JsonView value={result.response} testId="cds-response-json" />
            </Stack>
          </SimpleGrid>
        </Stack>
      )}
    </Stack>
  );
}

const CALL_COLUMNS: Array<Column<CallSummary>> = [
  { header: 'When', cell: (c) => formatDate(c.createdAt) },
  { header: 'Service', cell: (c) => c.serviceId },
  { header: 'Status', cell: (c) => <Badge color={c.status === 200 ? 'teal' : 'red'} variant="light">{c.status}</Badge> },
  { header: 'ms', cell: (c) => c.durationMs.toFixed(1) },
  { header: 'Cards', cell: (c) => c.cards },
  { header: 'System actions', cell: (c) => c.systemActions },
  { header: 'Client', cell: (c) => c.clientIss ?? 'sandbox / no JWT' },
];

const FEEDBACK_COLUMNS: Array<Column<FeedbackRow>> = [
  { header: 'When', cell: (f) => formatDate(f.outcomeTimestamp) },
  { header: 'Service', cell: (f) => f.serviceId },
  { header: 'Card', cell: (f) => `${f.card.slice(0, 8)}…` },
  { header: 'Outcome', cell: (f) => f.outcome },
  { header: 'Detail', cell: (f) => (f.outcome === 'accepted' ? `${f.acceptedSuggestions?.length ?? 0} suggestion(s)` : (f.overrideReason?.reason?.display ?? f.overrideReason?.userComment ?? '')) },
];

function AuditPage() {
  const calls = useCalls();
  const feedback = useFeedback();
  const [selected, setSelected] = useState<string | null>(null);
  const call = useCall(selected);
  return (
    <Stack>
      <ErrorAlert error={calls.error ?? feedback.error} />
      <Title order={4}>Hook calls</Title>
      <DataTable
        rows={calls.data?.items ?? []}
        columns={CALL_COLUMNS}
        rowKey={(c) => c.id}
        rowAttrs={(c) => ({ onClick: () => setSelected(c.id), style: { cursor: 'pointer' }, bg: selected === c.id ? 'var(--mantine-color-teal-light)' : undefined })}
        frame="scroll"
        minWidth={800}
        tableProps={{ withTableBorder: true, fz: 'sm' }}
        data-testid="cds-calls"
      />
      {call.data && (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <JsonView value={call.data.request} testId="cds-call-request" height="320px" />
          <JsonView value={call.data.response} testId="cds-call-response" height="320px" />
        </SimpleGrid>
      )}
      <Title order={4}>Card feedback</Title>
      <DataTable
        rows={feedback.data?.items ?? []}
        columns={FEEDBACK_COLUMNS}
        rowKey={(f) => f.id}
        frame="none"
        highlightOnHover={false}
        tableProps={{ withTableBorder: true, fz: 'sm' }}
        data-testid="cds-feedback"
      />
    </Stack>
  );
}

function CdsPage() {
  const [tab, setTab] = useState<string | null>('sandbox');
  return (
    <>
      <PageHeader title="CDS Hooks" description="A CDS Hooks sandbox for the payer's Da Vinci CRD service: fire order-select, order-sign, order-dispatch or patient-view for a stored patient and see the cards and coverage information an EHR receives." />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="sandbox">Sandbox</Tabs.Tab>
          <Tabs.Tab value="ehr" data-testid="cds-tab-ehr">Order entry (mock EHR)</Tabs.Tab>
          <Tabs.Tab value="audit" data-testid="cds-tab-audit">Audit log &amp; feedback</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="sandbox">
          <SandboxPage />
        </Tabs.Panel>
        <Tabs.Panel value="ehr">
          <EhrView />
        </Tabs.Panel>
        <Tabs.Panel value="audit">
          <AuditPage />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

export function CdsRoutes() {
  return (
    <Routes>
      <Route path="*" element={<CdsPage />} />
    </Routes>
  );
}
