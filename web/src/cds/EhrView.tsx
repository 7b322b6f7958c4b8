/**
 * A mock EHR order-entry screen, as the CDS Hooks Sandbox has: a patient banner, the patient's draft orders (add one
 * from the samples or the policy table, edit its JSON), selecting an order fires order-select, Sign fires order-sign;
 * the returned cards show inline in the order entry and a suggestion's actions apply to the order list.
 */
import { useMemo, useState } from 'react';
import { Badge, Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import CodeMirror, { EditorView } from '@uiw/react-codemirror';
import { json } from '@codemirror/lang-json';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { orderForCode, tryHook, usePatients, usePolicyCodes, useSamples, type CdsSuggestion, type TryResult } from './api.ts';
import { CardView } from './CardView.tsx';

interface Order {
  key: string;
  resource: Record<string, unknown> & { resourceType: string; id?: string };
  status: 'draft' | 'signed' | 'action';
}

type Hook = 'order-select' | 'order-sign';

/** What an order is, in the words of its code. */
function orderTitle(r: Order['resource']): string {
  const concept = (r.medicationCodeableConcept ?? r.code) as { text?: string; coding?: Array<{ code?: string; display?: string }> } | undefined;
  const text = concept?.text ?? concept?.coding?.[0]?.display ?? (r.description as string | undefined) ?? r.id ?? '';
  return `${r.resourceType}: ${text}`;
}

function PatientBanner({ patient }: { patient: { name: string; birthDate?: string | null; gender?: string | null; coverage: string | null; id: string } }) {
  return (
    <Paper withBorder p="sm" bg="var(--mantine-color-gray-light)" data-testid="ehr-banner">
      <Group gap="lg">
        <Text fw={700} size="lg">{patient.name || patient.id}</Text>
        <Text size="sm">DOB {patient.birthDate ?? '—'}</Text>
        <Text size="sm">{patient.gender ?? '—'}</Text>
        <Text size="sm" data-testid="ehr-banner-coverage">Coverage: {patient.coverage ?? 'none on file'}</Text>
        <Text size="xs" c="dimmed" ff="monospace">Patient/{patient.id}</Text>
      </Group>
    </Paper>
  );
}

export function EhrView() {
  const qc = useQueryClient();
  const patients = usePatients('');
  const samples = useSamples();
  const policy = usePolicyCodes();
  const [patientId, setPatientId] = useState<string | null>(null);
  const [pick, setPick] = useState<string | null>('sample:amoxicillin');
  const [orders, setOrders] = useState<Order[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [editText, setEditText] = useState('');
  const [result, setResult] = useState<{ hook: Hook; order: string; res: TryResult } | null>(null);
  const [busy, setBusy] = useState<Hook | null>(null);
  const [error, setError] = useState<unknown>(null);

  const patient = patients.data?.items.find((p) => p.id === patientId) ?? null;
  const choices = useMemo(() => {
    const seen = new Set<string>();
    const fromPolicy = (policy.data?.rows ?? []).filter((r) => !seen.has(`${r.system}|${r.code}`) && seen.add(`${r.system}|${r.code}`));
    return [
      ...(samples.data?.items ?? []).map((s) => ({ value: `sample:${s.id}`, label: s.label, resource: s.resource })),
      ...fromPolicy.map((r) => ({ value: `policy:${r.system}|${r.code}`, label: `Policy table: ${r.code} ${r.display}`, resource: orderForCode(r) })),
    ];
  }, [samples.data, policy.data]);
  const current = orders.find((o) => o.key === selected) ?? null;

  async function fire(hook: Hook, order: Order, resource = order.resource) {
    if (!patientId) return;
    setError(null);
    setBusy(hook);
    try {
      const res = await tryHook({ hook, patientId, order: resource, prefetch: true, extension: { 'davinci-crd.configuration': { 'coverage-info': true } } });
      setResult({ hook, order: order.key, res });
      if (hook === 'order-sign' && res.status === 200) setOrders((os) => os.map((o) => (o.key === order.key ? { ...o, resource, status: 'signed' } : o)));
      void qc.invalidateQueries({ queryKey: ['cds-calls'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  function select(order: Order) {
    setSelected(order.key);
    setEditText(JSON.stringify(order.resource, null, 2));
    if (order.status === 'draft') void fire('order-select', order);
  }

  function add() {
    const c = choices.find((x) => x.value === pick);
    if (!c) return;
    const order: Order = { key: `${c.value}#${orders.length + 1}`, resource: structuredClone(c.resource) as Order['resource'], status: 'draft' };
    setOrders((os) => [...os, order]);
    select(order);
  }

  function sign() {
    if (!current) return;
    let resource: Order['resource'];
    try {
      resource = JSON.parse(editText) as Order['resource'];
    } catch (err) {
      setError(new Error(`The order is not valid JSON: ${(err as Error).message}`));
      return;
    }
    void fire('order-sign', current, resource);
  }

  // A suggestion's create actions add their resources (e.g. a prior-authorization Task) to the order list.
  function accept(s: CdsSuggestion) {
    const created = (s.actions ?? []).filter((a) => a.type === 'create' && a.resource).map((a, i) => ({ key: `action:${s.uuid ?? s.label}#${i}`, resource: a.resource as unknown as Order['resource'], status: 'action' as const }));
    setOrders((os) => [...os, ...created]);
  }

  const cards = result?.res.response.cards ?? [];
  return (
    <Stack data-testid="ehr-view">
      <Select
        label="Patient"
        placeholder={patients.isLoading ? 'Loading patients…' : 'Choose a patient'}
        searchable
        data={(patients.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name || p.id}${p.coverage ? ` · ${p.coverage}` : ''}` }))}
        value={patientId}
        onChange={(v) => {
          setPatientId(v);
          setOrders([]);
          setSelected(null);
          setResult(null);
        }}
        nothingFoundMessage="No patients: import Synthea bundles on the Patients (FHIR) page"
        data-testid="ehr-patient"
        maw={480}
      />
      {patient && <PatientBanner patient={patient} />}
      {patient && (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <Paper withBorder p="md">
            <Stack gap="sm">
              <Title order={5}>Orders</Title>
              <Group align="flex-end" wrap="nowrap">
                <Select label="New order" data={choices.map(({ value, label }) => ({ value, label }))} value={pick} onChange={setPick} searchable allowDeselect={false} style={{ flex: 1 }} data-testid="ehr-sample" />
                <Button variant="light" onClick={add} disabled={!pick} data-testid="ehr-add-order">Add order</Button>
              </Group>
              <Table highlightOnHover withTableBorder fz="sm" data-testid="ehr-orders">
                <Table.Tbody>
                  {orders.map((o) => (
                    <Table.Tr key={o.key} onClick={() => select(o)} style={{ cursor: 'pointer' }} bg={o.key === selected ? 'var(--mantine-color-teal-light)' : undefined} data-testid="ehr-order-row" data-status={o.status} data-resource={o.resource.resourceType}>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{orderTitle(o.resource)}</Table.Td>
                      <Table.Td w={1} style={{ whiteSpace: 'nowrap' }}><Badge variant="light" style={{ overflow: 'visible' }} color={o.status === 'signed' ? 'teal' : o.status === 'action' ? 'blue' : 'gray'}>{o.status === 'action' ? 'from card' : o.status}</Badge></Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {orders.length === 0 && <Text size="sm" c="dimmed">No orders yet: pick one above and add it.</Text>}
            </Stack>
          </Paper>
          <Paper withBorder p="md">
            {current ? (
              <Stack gap="sm">
                <Title order={5}>{orderTitle(current.resource)}</Title>
                <div data-testid="ehr-order-editor">
                  <CodeMirror value={editText} height="220px" extensions={[json(), EditorView.lineWrapping]} onChange={setEditText} editable={current.status === 'draft'} />
                </div>
                <Group>
                  <Button onClick={sign} loading={busy === 'order-sign'} disabled={current.status !== 'draft' || busy !== null} data-testid="ehr-sign">Sign</Button>
                  {busy === 'order-select' && <Text size="sm" c="dimmed">order-select…</Text>}
                </Group>
                <ErrorAlert error={error} />
                {result && result.order === current.key && (
                  <Stack gap="xs" data-testid="ehr-cards" data-hook={result.hook} data-status={result.res.status}>
                    <Text size="sm" c="dimmed">{result.hook} → {result.res.serviceId} · HTTP {result.res.status} · {cards.length} card{cards.length === 1 ? '' : 's'}</Text>
                    {cards.map((c, i) => <CardView key={c.uuid ?? i} card={c} serviceId={result.res.serviceId} onAccept={accept} onFeedback={() => void qc.invalidateQueries({ queryKey: ['cds-feedback'] })} />)}
                  </Stack>
                )}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">Select an order to see it here; selecting fires order-select, Sign fires order-sign.</Text>
            )}
          </Paper>
        </SimpleGrid>
      )}
    </Stack>
  );
}
