import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Badge, Button, Code, Group, Paper, Select, SimpleGrid, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import CodeMirror, { EditorView } from '@uiw/react-codemirror';
import { json } from '@codemirror/lang-json';
import { useNavigate, useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { cqlLanguage } from './cqlLanguage.ts';
import { cqlProblems, showProblems } from './cqlDiagnostics.ts';
import { Markdown } from '../cds/Markdown.tsx';
import {
  compileCql,
  deleteRule,
  NEW_RULE_TEMPLATE,
  SAMPLE_ORDERS,
  saveRule,
  setRuleStatus,
  testRule,
  usePatients,
  useRule,
  type CompileResult,
  type RuleExpression,
  type RuleTestResult,
} from './api.ts';

// Long CQL lines wrap inside the editor's box; compile problems are marked on their lines.
const EDITOR_EXTENSIONS = [cqlLanguage, EditorView.lineWrapping, cqlProblems];

function Expressions({ items }: { items: RuleExpression[] }) {
  const shown = items.filter((e) => !e.isFunction);
  const fns = items.filter((e) => e.isFunction);
  return (
    <Stack gap={4} data-testid="rule-expressions">
      <Table withTableBorder fz="sm" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Expression</Table.Th>
            <Table.Th>Type</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((e) => (
            <Table.Tr key={e.name}>
              <Table.Td>{e.name}</Table.Td>
              <Table.Td><Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{e.type}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {fns.length > 0 && <Text size="xs" c="dimmed">Functions: {[...new Set(fns.map((f) => f.name))].join(', ')}</Text>}
    </Stack>
  );
}

function Problems({ result, onPick }: { result: CompileResult; onPick: (line: number, column: number) => void }) {
  if (result.ok && result.problems.length === 0) return <Alert color="teal" variant="light" data-testid="compile-ok">Compiled {result.name} {result.version}: no errors.</Alert>;
  return (
    <Alert color={result.ok ? 'yellow' : 'red'} variant="light" title={result.ok ? 'Compiled with warnings' : `${result.problems.filter((p) => p.severity === 'error').length} error(s)`} data-testid="compile-problems">
      <Stack gap={2}>
        {result.problems.map((p, i) => (
          <Text key={i} size="sm" ff="monospace" data-testid="compile-problem" style={p.line != null ? { cursor: 'pointer' } : undefined} title={p.line != null ? 'Go to this line' : undefined} onClick={() => p.line != null && onPick(p.line, p.column ?? 1)}>
            {p.line != null ? `line ${p.line}:${p.column ?? 1}` : '—'} · {p.severity} · {p.message}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

function ValueCell({ value }: { value: unknown }) {
  const text = JSON.stringify(value);
  if (typeof value === 'boolean') return <Badge color={value ? 'teal' : 'gray'} variant="light">{String(value)}</Badge>;
  return <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{text === undefined ? 'null' : text.length > 300 ? `${text.slice(0, 297)}…` : text}</Text>;
}

function TestPanel({ name }: { name: string }) {
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
            </>
          )}
        </Stack>
      </SimpleGrid>
    </Paper>
  );
}

/** One library: CQL editor with compile (errors by line), save, enable/disable, expressions, and the test panel. */
export function LibraryPage() {
  const { name } = useParams();
  const isNew = !name;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const rule = useRule(name ?? null);
  const [cql, setCql] = useState(isNew ? NEW_RULE_TEMPLATE : '');
  const [compiled, setCompiled] = useState<CompileResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const editor = useRef<EditorView | null>(null);

  // Mark the compile problems on their lines (cleared when there is no compile result).
  useEffect(() => {
    if (editor.current) showProblems(editor.current, compiled?.problems ?? []);
  }, [compiled]);

  useEffect(() => {
    if (rule.data) setCql(rule.data.cql ?? '// This library was uploaded as ELM; there is no CQL source.');
    setCompiled(null);
  }, [rule.data]);

  async function act(what: string, fn: () => Promise<void>) {
    setError(null);
    setBusy(what);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  // A listed problem moves the editor's cursor to its line:column.
  const goTo = (line: number, column: number) => {
    const view = editor.current;
    if (!view) return;
    const l = view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines));
    view.dispatch({ selection: { anchor: Math.min(l.to, l.from + column - 1) }, scrollIntoView: true });
    view.focus();
  };
  const compile = () => act('compile', async () => setCompiled(await compileCql(cql)));
  const save = () =>
    act('save', async () => {
      const saved = await saveRule(cql);
      await qc.invalidateQueries({ queryKey: ['rules'] });
      await qc.invalidateQueries({ queryKey: ['rule', saved.name] });
      setCompiled(null);
      if (saved.name !== name) navigate(`/rules/${encodeURIComponent(saved.name)}`);
    });
  const toggle = (enabled: boolean) =>
    act('status', async () => {
      await setRuleStatus(name!, enabled ? 'enabled' : 'disabled');
      await qc.invalidateQueries({ queryKey: ['rule', name] });
      await qc.invalidateQueries({ queryKey: ['rules'] });
    });
  const remove = () =>
    act('delete', async () => {
      await deleteRule(name!);
      await qc.invalidateQueries({ queryKey: ['rules'] });
      navigate('/rules');
    });

  const d = rule.data;
  const expressions = compiled?.ok ? compiled.expressions : (d?.expressions ?? []);
  return (
    <>
      <PageHeader
        title={isNew ? 'New rule' : name}
        description={d ? `${d.kind} library · version ${d.version}${d.builtin ? ' · built-in (edit and save under a new library name)' : ''}${d.includes.length ? ` · includes ${d.includes.map((i) => i.name).join(', ')}` : ''}` : 'Write a CQL library; Compile shows translator errors by line; Save stores it disabled so you can test it first.'}
        actions={
          d && (
            <>
              <Switch label="Enabled" checked={d.status === 'enabled'} onChange={(e) => void toggle(e.currentTarget.checked)} data-testid="rule-status" />
              {!d.builtin && <Button color="red" variant="light" onClick={() => void remove()} loading={busy === 'delete'} data-testid="rule-delete">Delete</Button>}
            </>
          )
        }
      />
      <ErrorAlert error={rule.error ?? error} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} mb="md">
        <Stack gap="xs">
          <div data-testid="rule-editor">
            <CodeMirror
              value={cql}
              onChange={setCql}
              height="520px"
              extensions={EDITOR_EXTENSIONS}
              basicSetup={{ lineNumbers: true, foldGutter: true }}
              onCreateEditor={(view) => {
                editor.current = view;
              }}
            />
          </div>
          <Group>
            <Button variant="default" onClick={() => void compile()} loading={busy === 'compile'} data-testid="rule-compile">Compile</Button>
            <Button onClick={() => void save()} loading={busy === 'save'} data-testid="rule-save">Save</Button>
          </Group>
          {compiled && <Problems result={compiled} onPick={goTo} />}
        </Stack>
        <Stack gap="xs">
          <Title order={4}>Expressions</Title>
          {expressions.length ? <Expressions items={expressions} /> : <Text size="sm" c="dimmed">Compile to see the expressions and their types.</Text>}
        </Stack>
      </SimpleGrid>
      {d && <TestPanel name={d.name} />}
    </>
  );
}
