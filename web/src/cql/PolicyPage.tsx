import { useEffect, useState } from 'react';
import { ActionIcon, Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { savePolicy, usePolicy, type PolicyRow } from './api.ts';

const REQUIREMENTS = ['pa', 'doc', 'none', 'not-covered'];
const DOCS = ['', 'clinical', 'admin', 'patient', 'conditional'];
const EMPTY: PolicyRow = { plan: '', system: 'http://www.ama-assn.org/go/cpt', code: '', display: '', requirement: 'pa' };

/** The table-driven policy (TablePolicy library): codes per payer plan that need PA, documentation, nothing, or are not covered. */
export function PolicyPage() {
  const qc = useQueryClient();
  const policy = usePolicy();
  const [rows, setRows] = useState<PolicyRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    if (policy.data) setRows(policy.data.rows);
  }, [policy.data]);

  const set = (i: number, patch: Partial<PolicyRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  async function save() {
    setError(null);
    setSaved(null);
    try {
      const res = await savePolicy(rows.map((r) => ({ ...r, docNeeded: r.docNeeded || undefined, note: r.note || undefined }) as PolicyRow));
      setSaved(`Saved ${res.rows.length} rows at ${new Date(res.updatedAt ?? Date.now()).toLocaleTimeString()}.`);
      await qc.invalidateQueries({ queryKey: ['rules-policy'] });
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <PageHeader
        title="Policy table"
        description="What each payer plan requires for a code (CPT, HCPCS, RxNorm…). The TablePolicy rule matches the order's codes against these rows; plan is the Coverage's plan (class of type plan: value or name), or * for every plan. Most restrictive row wins."
        actions={
          <>
            <Button variant="default" onClick={() => setRows((r) => [...r, { ...EMPTY }])} data-testid="policy-add">Add row</Button>
            <Button onClick={() => void save()} data-testid="policy-save">Save</Button>
          </>
        }
      />
      <ErrorAlert error={policy.error ?? error} title="The policy table was not saved" />
      {saved && <Text c="teal" size="sm" mb="sm" data-testid="policy-saved">{saved}</Text>}
      {/* Nine editable columns: the table scrolls inside its box (never the page) and the text cells share what is left. */}
      <Table.ScrollContainer minWidth={1320} maw="100%" data-testid="policy-scroll">
      <Table striped data-testid="policy-table" layout="fixed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>#</Table.Th>
            <Table.Th w={150}>Plan</Table.Th>
            <Table.Th w={230}>System</Table.Th>
            <Table.Th w={100}>Code</Table.Th>
            <Table.Th>Display</Table.Th>
            <Table.Th w={140}>Requirement</Table.Th>
            <Table.Th w={120}>Doc needed</Table.Th>
            <Table.Th>Note</Table.Th>
            <Table.Th w={44} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i}>
              <Table.Td><Text size="xs" c="dimmed">{i + 1}</Text></Table.Td>
              <Table.Td><TextInput size="xs" value={r.plan} onChange={(e) => set(i, { plan: e.currentTarget.value })} aria-label={`Row ${i + 1} plan`} /></Table.Td>
              <Table.Td><TextInput size="xs" title={r.system} value={r.system} onChange={(e) => set(i, { system: e.currentTarget.value })} aria-label={`Row ${i + 1} system`} /></Table.Td>
              <Table.Td><TextInput size="xs" value={r.code} onChange={(e) => set(i, { code: e.currentTarget.value })} aria-label={`Row ${i + 1} code`} /></Table.Td>
              <Table.Td><TextInput size="xs" title={r.display} value={r.display} onChange={(e) => set(i, { display: e.currentTarget.value })} aria-label={`Row ${i + 1} display`} /></Table.Td>
              <Table.Td>
                <Select size="xs" data={REQUIREMENTS} value={r.requirement} onChange={(v) => set(i, { requirement: (v ?? 'pa') as PolicyRow['requirement'] })} aria-label={`Row ${i + 1} requirement`} data-testid={`policy-requirement-${i}`} />
              </Table.Td>
              <Table.Td><Select size="xs" data={DOCS.map((d) => ({ value: d, label: d || '—' }))} value={r.docNeeded ?? ''} onChange={(v) => set(i, { docNeeded: (v || undefined) as PolicyRow['docNeeded'] })} aria-label={`Row ${i + 1} doc needed`} /></Table.Td>
              <Table.Td><TextInput size="xs" title={r.note ?? ''} value={r.note ?? ''} onChange={(e) => set(i, { note: e.currentTarget.value })} aria-label={`Row ${i + 1} note`} /></Table.Td>
              <Table.Td>
                <ActionIcon variant="subtle" color="red" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))} aria-label={`Delete row ${i + 1}`}>✕</ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      </Table.ScrollContainer>
      <Group mt="sm">
        <Text size="xs" c="dimmed">Also editable as CSV: <code>sagebrush rules policy set policy.csv</code> or <code>PUT /api/v1/rules/policy</code> with <code>text/csv</code>.</Text>
      </Group>
    </>
  );
}
