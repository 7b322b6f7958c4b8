/** The text model page's Deploy tab: the endpoints serving this version, and a form to deploy another. */
import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Endpoint, ModelVersion } from '../api/types.ts';
import { useEndpoints } from './api.ts';
import { DeployForm } from './Deploy.tsx';

export function ModelDeployTab({ model, onDeployed }: { model: ModelVersion; onDeployed: (endpoint: Endpoint) => void }) {
  const { data } = useEndpoints();
  const serving = (data?.items ?? []).filter((e) => e.model?.name === model.name && e.model.version === model.version);
  return (
    <Stack gap="md" data-testid="model-deploy">
      {serving.length > 0 ? (
        <Table withTableBorder fz="sm" data-testid="model-endpoints">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Endpoint</Table.Th>
              <Table.Th>Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {serving.map((e) => (
              <Table.Tr key={e.id} data-testid="model-endpoint-row" data-endpoint={e.name}>
                <Table.Td>
                  <Anchor component={Link} to="/endpoints" size="sm">
                    {e.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light">{e.status}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">
          No endpoint serves this version yet.
        </Text>
      )}
      <Group>
        <DeployForm model={model} onDeployed={onDeployed} />
      </Group>
    </Stack>
  );
}
