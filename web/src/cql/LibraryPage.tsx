import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Group, SimpleGrid, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import CodeMirror, { EditorView } from '@uiw/react-codemirror';
import { useNavigate, useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { cqlLanguage } from './cqlLanguage.ts';
import { cqlProblems, showProblems } from './cqlDiagnostics.ts';
import { TestPanel } from './RuleTestPanel.tsx';
import { compileCql, deleteRule, NEW_RULE_TEMPLATE, saveRule, setRuleStatus, useRule, type CompileResult, type RuleExpression } from './api.ts';

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
