import { useState } from 'react';
import { Anchor, Badge, Button, Switch, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { setRuleStatus, useRules } from './api.ts';

const KIND_COLOR: Record<string, string> = { order: 'blue', patient: 'grape', helper: 'gray' };

/** The rule catalog: every library with its kind and an enable/disable toggle. */
export function CatalogPage() {
  const qc = useQueryClient();
  const rules = useRules();
  const [error, setError] = useState<unknown>(null);

  async function toggle(name: string, enabled: boolean) {
    setError(null);
    try {
      await setRuleStatus(name, enabled ? 'enabled' : 'disabled');
      await qc.invalidateQueries({ queryKey: ['rules'] });
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <PageHeader
        title="Payer rules"
        description="CQL libraries the CDS Hooks service runs for prior authorization: order rules decide coverage for a draft order, patient rules add patient-view findings, helpers are included by others."
        actions={
          <>
            <Button component={Link} to="/rules/policy" variant="default" data-testid="rules-policy-link">Policy table</Button>
            <Button component={Link} to="/rules/new" data-testid="rules-new">New rule</Button>
          </>
        }
      />
      <ErrorAlert error={rules.error ?? error} />
      <Table striped highlightOnHover data-testid="rules-catalog">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Library</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Enabled</Table.Th>
            <Table.Th>Description</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(rules.data?.items ?? []).map((r) => (
            <Table.Tr key={r.name} data-testid={`rule-row-${r.name}`}>
              <Table.Td>
                <Anchor component={Link} to={`/rules/${encodeURIComponent(r.name)}`}>{r.name}</Anchor>
                {r.builtin && <Badge ml="xs" size="xs" variant="outline" color="gray">built-in</Badge>}
              </Table.Td>
              <Table.Td><Text size="sm" ff="monospace">{r.version}</Text></Table.Td>
              <Table.Td><Badge variant="light" color={KIND_COLOR[r.kind] ?? 'gray'}>{r.kind}</Badge></Table.Td>
              <Table.Td>
                <Switch checked={r.status === 'enabled'} onChange={(e) => void toggle(r.name, e.currentTarget.checked)} aria-label={`Enable ${r.name}`} data-testid={`rule-toggle-${r.name}`} />
              </Table.Td>
              <Table.Td><Text size="sm">{r.description}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
