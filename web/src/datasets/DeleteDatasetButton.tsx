import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { datasetKeys, deleteDataset } from './api.ts';

export function DeleteDatasetButton({ idOrName, name, versions }: { idOrName: string; name: string; versions: number }) {
  const [opened, { open, close }] = useDisclosure(false);
  const { busy, error, attempt } = useAction();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const confirm = async () => {
    await attempt(async () => {
      await deleteDataset(idOrName);
      qc.removeQueries({ queryKey: datasetKeys.one(idOrName) });
      await qc.invalidateQueries({ queryKey: datasetKeys.list() });
      close();
      navigate('/datasets');
    });
  };
  return (
    <>
      <Button color="red" variant="light" onClick={open} data-testid="dataset-delete">
        Delete
      </Button>
      <Modal opened={opened} onClose={close} title="Delete dataset" centered>
        <Stack>
          <Text size="sm">
            Delete <b>{name}</b> and all {versions} version{versions === 1 ? '' : 's'} with their files? This cannot be undone.
          </Text>
          {error !== null && <ErrorAlert error={error} title="Cannot delete" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={busy}>
              Cancel
            </Button>
            <Button color="red" onClick={confirm} loading={busy} data-testid="dataset-delete-confirm">
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
