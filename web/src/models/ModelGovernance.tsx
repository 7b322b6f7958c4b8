/**
 * The governance of one model version for the pages of every model kind (the image model page's Governance tab, the
 * LLM catalog's Governance dialog): approval with its history and deploy-on-approval, then the model card with its
 * aliases, tags and training-data lineage. The same two panels the text model page places in its overview.
 */
import { Stack, Text, Title } from '@mantine/core';
import { ApprovalPanel, type GovernedModel } from './ApprovalPanel.tsx';
import { ModelCardPanel } from './ModelCardPanel.tsx';

export function ModelGovernance({ model }: { model: GovernedModel }) {
  return (
    <Stack gap="xl" data-testid="model-governance" data-model={`${model.name}:${model.version}`}>
      <Stack gap="xs" data-testid="model-approval">
        <Title order={4}>Approval</Title>
        <Text size="sm" c="dimmed">
          governance: who approved this version, when and why
        </Text>
        <ApprovalPanel model={model} />
      </Stack>
      <Stack gap="xs" data-testid="model-card-section">
        <Title order={4}>Model card</Title>
        <ModelCardPanel model={model} />
      </Stack>
    </Stack>
  );
}
