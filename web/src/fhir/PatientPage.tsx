import type { ReactNode } from 'react';
import { Anchor, Badge, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { CodeableConcept, Condition, Coverage, DeviceRequest, Encounter, HumanName, MedicationRequest, Observation, Patient, Period, Reference, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { usePatientEverything } from './api.ts';

function concept(c: CodeableConcept | undefined): string {
  if (!c) return '';
  const coding = c.coding?.[0];
  return c.text ?? coding?.display ?? coding?.code ?? '';
}

function code(c: CodeableConcept | undefined): string {
  const coding = c?.coding?.[0];
  return coding?.code ? `${coding.code}` : '';
}

function name(n: HumanName[] | undefined): string {
  const x = n?.find((v) => v.use === 'official') ?? n?.[0];
  return x?.text ?? [...(x?.prefix ?? []), ...(x?.given ?? []), x?.family ?? ''].filter(Boolean).join(' ');
}

function period(p: Period | undefined): string {
  if (!p) return '';
  return [p.start?.slice(0, 10), p.end?.slice(0, 10)].filter(Boolean).join(' → ');
}

function display(r: Reference | undefined, byRef: Map<string, Resource>): string {
  if (!r) return '';
  if (r.display) return r.display;
  const target = r.reference ? byRef.get(r.reference) : undefined;
  if (target && 'name' in target) {
    const n = (target as { name?: unknown }).name;
    if (typeof n === 'string') return n;
    if (Array.isArray(n)) return name(n as HumanName[]);
  }
  return r.reference ?? '';
}

function Section({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  return (
    <Paper withBorder p="md" data-testid={`fhir-section-${title.toLowerCase()}`}>
      <Group gap="xs" mb="xs">
        <Title order={4}>{title}</Title>
        <Badge variant="light">{count}</Badge>
      </Group>
      {count === 0 ? <Text c="dimmed" size="sm">None</Text> : children}
    </Paper>
  );
}

function Rows({ head, rows }: { head: string[]; rows: ReactNode[][] }) {
  return (
    <Table striped fz="sm">
      <Table.Thead>
        <Table.Tr>{head.map((h) => <Table.Th key={h}>{h}</Table.Th>)}</Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r, i) => (
          <Table.Tr key={i}>{r.map((c, j) => <Table.Td key={j}>{c}</Table.Td>)}</Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const byDateDesc = (a: string | undefined, b: string | undefined) => (b ?? '').localeCompare(a ?? '');

/** One patient as the CDS rules see it ($everything = FhirDataSource.patientBundle): demographics, coverage, conditions, medications, orders. */
export function PatientPage() {
  const { id = '' } = useParams();
  const q = usePatientEverything(id);
  const resources = (q.data?.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r);
  const of = <T extends Resource>(type: T['resourceType']) => resources.filter((r): r is T => r.resourceType === type);
  const byRef = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
  const patient = of<Patient>('Patient').find((p) => p.id === id);
  const coverages = of<Coverage>('Coverage');
  const conditions = of<Condition>('Condition').sort((a, b) => byDateDesc(a.onsetDateTime ?? a.recordedDate, b.onsetDateTime ?? b.recordedDate));
  const meds = of<MedicationRequest>('MedicationRequest').sort((a, b) => byDateDesc(a.authoredOn, b.authoredOn));
  const orders = [...of<ServiceRequest>('ServiceRequest'), ...of<DeviceRequest>('DeviceRequest')];
  const encounters = of<Encounter>('Encounter').sort((a, b) => byDateDesc(a.period?.start, b.period?.start));
  const observations = of<Observation>('Observation');

  return (
    <>
      <PageHeader
        title={patient ? name(patient.name) || id : 'Patient'}
        description={
          <>
            <Anchor component={Link} to="/fhir">Patients</Anchor> · <Anchor href={`/fhir/R4/Patient/${encodeURIComponent(id)}/$everything`} target="_blank">FHIR JSON</Anchor>
          </>
        }
      />
      {q.isLoading && <Loader />}
      <ErrorAlert error={q.error} />
      {patient && (
        <Stack gap="md">
          <Paper withBorder p="md" data-testid="fhir-demographics">
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <div><Text size="xs" c="dimmed">Id</Text><Text size="sm" ff="monospace">{patient.id}</Text></div>
              <div><Text size="xs" c="dimmed">Birth date</Text><Text size="sm">{patient.birthDate ?? '—'}{patient.deceasedDateTime ? ` (died ${patient.deceasedDateTime.slice(0, 10)})` : ''}</Text></div>
              <div><Text size="xs" c="dimmed">Gender</Text><Text size="sm">{patient.gender ?? '—'}</Text></div>
              <div><Text size="xs" c="dimmed">Address</Text><Text size="sm">{[patient.address?.[0]?.city, patient.address?.[0]?.state].filter(Boolean).join(', ') || '—'}</Text></div>
            </SimpleGrid>
          </Paper>
          <Section title="Coverage" count={coverages.length}>
            <Rows
              head={['Status', 'Payer', 'Plan', 'Member id', 'Period']}
              rows={coverages.map((c) => {
                const plan = c.class?.find((k) => k.type?.coding?.some((x) => x.code === 'plan'));
                return [<Badge key="s" color={c.status === 'active' ? 'green' : 'gray'} variant="light">{c.status}</Badge>, display(c.payor?.[0], byRef), plan ? `${plan.name ?? plan.value} (${plan.value})` : '', c.subscriberId ?? '', period(c.period)];
              })}
            />
          </Section>
          <Section title="Conditions" count={conditions.length}>
            <Rows
              head={['Condition', 'Code', 'Clinical status', 'Onset', 'Abated']}
              rows={conditions.map((c) => [concept(c.code), code(c.code), code(c.clinicalStatus), c.onsetDateTime?.slice(0, 10) ?? '', c.abatementDateTime?.slice(0, 10) ?? ''])}
            />
          </Section>
          <Section title="Medications" count={meds.length}>
            <Rows
              head={['Medication', 'RxNorm', 'Status', 'Intent', 'Authored', 'Requester']}
              rows={meds.map((m) => [
                m.medicationCodeableConcept ? concept(m.medicationCodeableConcept) : display(m.medicationReference, byRef),
                code(m.medicationCodeableConcept),
                m.status,
                m.intent,
                m.authoredOn?.slice(0, 10) ?? '',
                display(m.requester, byRef),
              ])}
            />
          </Section>
          <Section title="Orders" count={orders.length}>
            <Rows
              head={['Type', 'Order', 'Code', 'Status', 'Intent', 'Authored']}
              rows={orders.map((o) => {
                const c = o.resourceType === 'ServiceRequest' ? o.code : (o as DeviceRequest).codeCodeableConcept;
                return [o.resourceType, concept(c), code(c), o.status, o.intent, o.authoredOn?.slice(0, 10) ?? ''];
              })}
            />
          </Section>
          <Section title="Encounters" count={encounters.length}>
            <Rows
              head={['Type', 'Class', 'Status', 'Period', 'Provider']}
              rows={encounters.slice(0, 50).map((e) => [concept(e.type?.[0]), e.class?.code ?? '', e.status, period(e.period), display(e.serviceProvider, byRef)])}
            />
            {encounters.length > 50 && <Text size="xs" c="dimmed" mt="xs">Showing the 50 most recent of {encounters.length}.</Text>}
          </Section>
          <Text size="sm" c="dimmed">
            Also in the bundle: {observations.length} observations, {of('Procedure').length} procedures, {of('Claim').length} claims, {of('Practitioner').length} practitioners, {of('Organization').length} organizations.
          </Text>
        </Stack>
      )}
    </>
  );
}
