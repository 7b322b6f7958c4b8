import { Anchor, Group, Loader, Paper, Select, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { TryItBox } from '../endpoints/TryItBox.tsx';
import { useEndpoints } from './api.ts';
import { DeployForm } from './Deploy.tsx';
import { useLiveRule } from './DecisionRule.tsx';

/** Real-time analysis on the model page: pick an endpoint of this version, or deploy one. */
export function TryItPanel({ model, selected, onSelect }: { model: ModelVersion; selected: string | null; onSelect: (name: string) => void }) {
  const { data, error, isPending } = useEndpoints();
  const mine = (data?.items ?? []).filter((e) => e.modelId === model.id);
  const current = mine.find((e) => e.name === selected) ?? mine[0];
  const rule = useLiveRule(model);
  return (
    <Paper withBorder p="md" radius="md" data-testid="try-it-panel">
      {isPending && <Loader size="sm" />}
      {error && <ErrorAlert error={error} title="Cannot load endpoints" />}
      {data && !current && (
        <Stack gap="sm" data-testid="try-it-deploy">
          <Text size="sm">
            Real-time analysis runs through an endpoint: the model stays loaded and answers in milliseconds. No endpoint serves this version yet.
          </Text>
          <DeployForm model={model} onDeployed={(ep) => onSelect(ep.name)} />
        </Stack>
      )}
      {current && (
        <Stack gap="sm">
          <Group gap="sm" justify="space-between">
            {mine.length > 1 ? (
              <Select
                aria-label="Endpoint"
                data={mine.map((e) => e.name)}
                value={current.name}
                onChange={(v) => v && onSelect(v)}
                allowDeselect={false}
                w={260}
                data-testid="try-it-endpoint"
              />
            ) : (
              <Text size="sm">
                Endpoint <b data-testid="try-it-endpoint-name">{current.name}</b>
              </Text>
            )}
            <Group gap="xs">
              <StatusBadge status={current.status} />
              <Anchor component={Link} to="/endpoints" size="sm">
                All endpoints
              </Anchor>
            </Group>
          </Group>
          <TryItBox key={current.name} endpoint={current.name} rule={rule} />
        </Stack>
      )}
    </Paper>
  );
}
