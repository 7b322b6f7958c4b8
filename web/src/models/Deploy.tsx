import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import type { Endpoint, ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { createEndpoint, endpointKeys, useEndpoints } from './api.ts';
import { endpointNameFor, isValidEndpointName } from './metrics.ts';

interface FormProps {
  model: ModelVersion;
  onDeployed: (endpoint: Endpoint) => void;
  onCancel?: () => void;
  submitLabel?: string;
}

/** Endpoint name (defaults to the model's name, made valid and free) + Deploy. */
export function DeployForm({ model, onDeployed, onCancel, submitLabel = 'Deploy as endpoint' }: FormProps) {
  const { data: endpoints } = useEndpoints();
  const qc = useQueryClient();
  const suggested = endpointNameFor(model.name, model.version, (endpoints?.items ?? []).map((e) => e.name));
  const [name, setName] = useState<string | null>(null);
  const { busy, error, attempt } = useAction();
  const value = name ?? suggested;
  const invalid = value !== '' && !isValidEndpointName(value);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || !value || invalid) return;
    await attempt(async () => {
      const created = await createEndpoint(value, `${model.name}:${model.version}`);
      await qc.invalidateQueries({ queryKey: endpointKeys.all });
      onDeployed(created);
    });
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <Group align="flex-end" gap="sm" wrap="nowrap">
          <TextInput
            label="Endpoint name"
            value={value}
            onChange={(e) => setName(e.currentTarget.value)}
            error={invalid ? 'Letters, digits and “-”, starting with a letter or digit.' : undefined}
            disabled={busy}
            style={{ flex: 1 }}
            data-testid="deploy-name"
          />
          {onCancel && (
            <Button variant="default" onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={busy} disabled={!value || invalid || model.status !== 'ready'} data-testid="deploy-submit">
            {submitLabel}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          Serves {model.name}:{model.version} at <code>POST /api/v1/endpoints/{value || '…'}/classify</code> (Comprehend ClassifyDocument shape).
        </Text>
        {error !== null && <ErrorAlert error={error} title="Cannot deploy" />}
      </Stack>
    </form>
  );
}

/** Header button: a dialog with the deploy form. */
export function DeployButton({ model, onDeployed }: { model: ModelVersion; onDeployed: (endpoint: Endpoint) => void }) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button onClick={open} disabled={model.status !== 'ready'} data-testid="model-deploy">
        Deploy
      </Button>
      <Modal opened={opened} onClose={close} title={`Deploy ${model.name}:${model.version}`} size="lg" centered>
        <DeployForm
          model={model}
          onCancel={close}
          submitLabel="Deploy"
          onDeployed={(ep) => {
            close();
            onDeployed(ep);
          }}
        />
      </Modal>
    </>
  );
}
