import { useEffect, useState } from 'react';
import { Anchor, Badge, Button, FileInput, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { importBundle, readBundle, useCounts, usePatientList, type ImportResult, type PatientRow } from './api.ts';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** Import Synthea (or any transaction/collection) bundles, each file all or nothing, optionally with a Coverage per patient. */
function ImportPanel() {
  const qc = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [payer, setPayer] = useState('');
  const [plans, setPlans] = useState('');
  const [busy, setBusy] = useState(false);
  const [log, setLog] = useState<Array<{ file: string; result?: ImportResult; error?: unknown }>>([]);

  async function run() {
    setBusy(true);
    setLog([]);
    for (const file of files) {
      try {
        const result = await importBundle(await readBundle(file), payer, plans);
        setLog((l) => [...l, { file: file.name, result }]);
      } catch (error) {
        setLog((l) => [...l, { file: file.name, error }]);
      }
    }
    setBusy(false);
    await qc.invalidateQueries({ queryKey: ['fhir'] });
  }

  return (
    <Paper withBorder p="md" mb="lg">
      <Title order={4} mb="xs">Import bundles</Title>
      <Group align="flex-end" wrap="wrap">
        <FileInput multiple label="FHIR Bundles (.json, .json.gz)" placeholder="Pick files" accept=".json,.gz,application/json,application/gzip" value={files} onChange={setFiles} w={320} data-testid="fhir-import-files" clearable />
        <TextInput label="Add coverage with payer" placeholder="e.g. Acme Health (optional)" value={payer} onChange={(e) => setPayer(e.currentTarget.value)} w={240} />
        <TextInput label="Plans" placeholder="acme-gold,acme-standard" value={plans} onChange={(e) => setPlans(e.currentTarget.value)} disabled={!payer.trim()} w={220} />
        <Button onClick={run} loading={busy} disabled={files.length === 0} data-testid="fhir-import">Import</Button>
      </Group>
      {log.map((l) => (
        <Stack key={l.file} gap={2} mt="sm">
          {l.result && (
            <Text size="sm" data-testid="fhir-import-result">
              {l.file}: {l.result.entries} entries → {l.result.created} created, {l.result.updated} updated, {l.result.unchanged} unchanged
              {l.result.coverages ? `, ${l.result.coverages} coverage(s)` : ''} in {(l.result.elapsedMs / 1000).toFixed(1)} s
            </Text>
          )}
          {l.error !== undefined && <ErrorAlert error={l.error} title={`${l.file} was not imported (nothing from it was stored)`} />}
        </Stack>
      ))}
    </Paper>
  );
}

const COLUMNS: Array<Column<PatientRow>> = [
  { header: 'Name', cell: (p) => <Anchor component={Link} to={`/fhir/patients/${encodeURIComponent(p.id)}`}>{p.name}</Anchor> },
  { header: 'Birth date', cell: (p) => p.birthDate ?? '' },
  { header: 'Gender', cell: (p) => p.gender ?? '' },
  { header: 'Coverage', cell: (p) => (p.coverage ? <Badge variant="light">{p.coverage}</Badge> : <Text c="dimmed" size="sm">none</Text>) },
  { header: 'Id', cell: (p) => <Text size="xs" c="dimmed" ff="monospace">{p.id}</Text> },
];

export function PatientsPage() {
  const [name, setName] = useState('');
  const query = useDebounced(name.trim(), 250);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  useEffect(() => setCursors([null]), [query]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const list = usePatientList(query, cursor);
  const counts = useCounts();
  const total = Object.values(counts.data?.counts ?? {}).reduce((a, b) => a + b, 0);

  return (
    <>
      <PageHeader
        title="Patients (FHIR)"
        description={
          <>
            The embedded FHIR R4 store at <Anchor href="/fhir/R4/metadata" target="_blank">/fhir/R4</Anchor>
            {counts.data ? ` · ${counts.data.counts.Patient ?? 0} patients, ${total} resources` : ''}
          </>
        }
      />
      <ImportPanel />
      <Group mb="sm">
        <TextInput placeholder="Search by name" value={name} onChange={(e) => setName(e.currentTarget.value)} w={320} data-testid="fhir-patient-search" aria-label="Search patients by name" />
      </Group>
      <ErrorAlert error={list.error} />
      <DataTable
        rows={list.data?.items}
        columns={COLUMNS}
        rowKey={(p) => p.id}
        frame="none"
        tableProps={{ striped: true }}
        empty={
          <EmptyState title={query ? `No patient matches "${query}"` : 'No patients yet'} data-testid="fhir-patients-empty">
            Import Synthea bundles above, or run <code>sagebrush fhir import FILE --with-coverage PAYER</code>.
          </EmptyState>
        }
        data-testid="fhir-patients"
      />
      <Group mt="sm">
        <Button variant="default" size="xs" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>Previous</Button>
        <Button variant="default" size="xs" disabled={!list.data?.nextCursor} onClick={() => list.data?.nextCursor && setCursors((c) => [...c, list.data!.nextCursor])}>Next</Button>
      </Group>
    </>
  );
}
