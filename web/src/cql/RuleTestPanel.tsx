/** A rule's test panel: run the library on a stored patient with a draft order; the decision detail as Markdown. */
import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Code, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import CodeMirror, { EditorView } from '@uiw/react-codemirror';
import { json } from '@codemirror/lang-json';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Markdown } from '../cds/Markdown.tsx';
import { SAMPLE_ORDERS, testRule, usePatients, type RuleTestResult } from './api.ts';

function ValueCell({ value }: { value: unknown }) {
  const text = JSON.stringify(value);
  if (typeof value === 'boolean') return <Badge color={value ? 'teal' : 'gray'} variant="light">{String(value)}</Badge>;
  return <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{text === undefined ? 'null' : text.length > 300 ? `${text.slice(0, 297)}…` : text}</Text>;
}

export function TestPanel({ name }: { name: string }) {
  const [search, setSearch] = useState('');
  const patients = usePatients(search);
  const [patientId, setPatientId] = useState<string | null>(null);
  const [sample, setSample] = useState<string>('amoxicillin');
  const [orderText, setOrderText] = useState(JSON.stringify(SAMPLE_ORDERS.amoxicillin!.resource, null, 2));
  const [result, setResult] = useState<RuleTestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const options = useMemo(
    () => (patients.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name || p.id}${p.birthDate ? ` · ${p.birthDate}` : ''}${p.coverage ? ` · ${p.coverage}` : ' · no coverage'}` })),
    [patients.data],
  );

  async function run() {
    if (!patientId) return;
    setError(null);
    setBusy(true);
    try {
      let order: unknown;
      try {
        order = JSON.parse(orderText);
      } catch (err) {
        throw new Error(`The order is not valid JSON: ${(err as Error).message}`);
      }
      setResult(await testRule(name, { patientId, order }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper withBorder p="md" data-testid="rule-test-panel">
      <Title order={4} mb="sm">Test on a patient</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap="xs">
          <Select
            label="Patient"
            placeholder="Search the FHIR store by name"
            searchable
            data={options}
            value={patientId}
            onChange={setPatientId}
            onSearchChange={setSearch}
            nothingFoundMessage="No patients: import Synthea bundles on the FHIR page"
            data-testid="rule-test-patient"
          />
          <Select
            label="Sample order"
            data={Object.entries(SAMPLE_ORDERS).map(([value, s]) => ({ value, label: s.label }))}
            value={sample}
            onChange={(v) => {
              if (!v) return;
              setSample(v);
              setOrderText(JSON.stringify(SAMPLE_ORDERS[v]!.resource, null, 2));
            }}
            data-testid="rule-test-sample"
          />
          <Text size="sm" fw={500}>Order (FHIR JSON)</Text>
          <div data-testid="rule-test-order">
            <CodeMirror value={orderText} onChange={setOrderText} height="240px" extensions={[json(), EditorView.lineWrapping]} basicSetup={{ lineNumbers: true }} />
          </div>
          <Text size="xs" c="dimmed">The patient's active Coverage is passed as "Coverage"; the policy table as "Policy".</Text>
          <Group>
            <Button onClick={() => void run()} loading={busy} disabled={!patientId} data-testid="rule-test-run">Run</Button>
          </Group>
        </Stack>
        <Stack gap="xs" data-testid="rule-test-result">
          <ErrorAlert error={error} />
          {result?.decision && (
            <Alert
              color={result.decision.covered === 'not-covered' ? 'red' : result.decision.paNeeded === 'auth-needed' ? 'orange' : result.decision.docNeeded?.length ? 'yellow' : 'teal'}
              variant="light"
              title={result.decision.summary}
              data-testid="rule-test-decision"
            >
              <Text size="sm">
                covered: <Code>{result.decision.covered}</Code>
                {result.decision.paNeeded && <> · pa-needed: <Code>{result.decision.paNeeded}</Code></>}
                {result.decision.docNeeded?.length ? <> · doc-needed: <Code>{result.decision.docNeeded.join(', ')}</Code></> : null}
              </Text>
              {result.decision.detail && <Markdown data-testid="rule-test-detail">{result.decision.detail}</Markdown>}
            </Alert>
          )}
          {result?.findings.map((f, i) => (
            <Alert key={i} color="blue" variant="light" title={f.summary} data-testid="rule-test-finding">{f.detail ? <Markdown>{f.detail}</Markdown> : null}</Alert>
          ))}
          {result && (
            <>
              <Table withTableBorder fz="sm" verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Expression</Table.Th>
                    <Table.Th>Result</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {Object.entries(result.results).map(([k, v]) => (
                    <Table.Tr key={k}>
                      <Table.Td>{k}</Table.Td>
                      <Table.Td><ValueCell value={v} /></Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="xs" c="dimmed">{result.library} {result.version} · {result.elapsedMs} ms</Text>
              {result.fastPath && (
                <Text size="xs" c="dimmed" data-testid="rule-fast-path">
                  CDS hooks: {result.fastPath.compiled ? 'compiled evaluator' : `cql-execution (not compiled: ${result.fastPath.reason})`}
                </Text>
              )}
            </>
          )}
        </Stack>
      </SimpleGrid>
    </Paper>
  );
}

