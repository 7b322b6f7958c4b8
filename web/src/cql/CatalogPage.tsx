import { useState } from 'react';
import { Anchor, Badge, Button, Switch, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { setRuleStatus, useRules, type RuleSummary } from './api.ts';

const KIND_COLOR: Record<string, string> = { order: 'blue', patient: 'grape', helper: 'gray' };

function columns(toggle: (name: string, enabled: boolean) => void): Array<Column<RuleSummary>> {
  return [
    {
      header: 'Library',
      cell: (r) => (
        <>
          <Anchor component={Link} to={`/rules/${encodeURIComponent(r.name)}`}>{r.name}</Anchor>
          {r.builtin && <Badge ml="xs" size="xs" variant="outline" color="gray">built-in</Badge>}
        </>
      ),
    },
    { header: 'Version', cell: (r) => <Text size="sm" ff="monospace">{r.version}</Text> },
    { header: 'Kind', cell: (r) => <Badge variant="light" color={KIND_COLOR[r.kind] ?? 'gray'}>{r.kind}</Badge> },
    {
      header: 'Enabled',
      cell: (r) => <Switch checked={r.status === 'enabled'} onChange={(e) => toggle(r.name, e.currentTarget.checked)} aria-label={`Enable ${r.name}`} data-testid={`rule-toggle-${r.name}`} />,
    },
    { header: 'Description', cell: (r) => <Text size="sm">{r.description}</Text> },
  ];
}

/** The rule catalog: every library with its kind and an enable/disable toggle. */
export function CatalogPage() {
  const qc = useQueryClient();
  const rules = useRules();
  const [error, setError] = useState<unknown>(null);

  function toggle(name: string, enabled: boolean) {
    void setStatus(name, enabled);
  }

  async function setStatus(name: string, enabled: boolean) {
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
      <DataTable rows={rules.data?.items ?? []} columns={columns(toggle)} rowKey={(r) => r.name} rowAttrs={(r) => ({ 'data-testid': `rule-row-${r.name}` })} frame="none" tableProps={{ striped: true }} data-testid="rules-catalog" />
    </>
  );
}
