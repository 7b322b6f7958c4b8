import { Anchor, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { isApiError } from '../api/client.ts';
import type { ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { deleteModelVersion, modelKeys } from './api.ts';

/** Deletes one version; a 409 IN_USE (an endpoint serves it) says which endpoints to remove first. */
export function DeleteModelButton({ model }: { model: ModelVersion }) {
  const [opened, { open, close }] = useDisclosure(false);
  const { busy, error, setError, attempt } = useAction();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const inUse = isApiError(error) && error.code === 'IN_USE';

  const confirm = async () => {
    await attempt(async () => {
      await deleteModelVersion(model.name, model.version);
      qc.removeQueries({ queryKey: modelKeys.version(model.name, model.version) });
      await qc.invalidateQueries({ queryKey: modelKeys.all });
      close();
      navigate('/models');
    });
  };

  const dismiss = () => {
    close();
    setError(null);
  };

  return (
    <>
      <Button color="red" variant="light" onClick={open} data-testid="model-delete">
        Delete
      </Button>
      <Modal opened={opened} onClose={dismiss} title="Delete model version" centered size="lg">
        <Stack>
          <Text size="sm">
            Delete <b>{model.name}:{model.version}</b> with its artifacts (model, metrics, output.tar.gz)? This cannot be undone.
          </Text>
          {error !== null && (
            <Stack gap={6} data-testid={inUse ? 'model-delete-in-use' : 'model-delete-error'}>
              <ErrorAlert error={error} title={inUse ? 'This version is deployed' : 'Cannot delete'} />
              {inUse && (
                <Text size="sm">
                  Delete those endpoints (or point them at another version) on the{' '}
                  <Anchor component={Link} to="/endpoints" size="sm">
                    Endpoints
                  </Anchor>{' '}
                  page, then delete the version.
                </Text>
              )}
            </Stack>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={dismiss} disabled={busy}>
              Cancel
            </Button>
            <Button color="red" onClick={confirm} loading={busy} disabled={inUse} data-testid="model-delete-confirm">
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
