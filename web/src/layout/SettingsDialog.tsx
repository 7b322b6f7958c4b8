import { useState } from 'react';
import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { getToken, setToken } from '../api/client.ts';

/** Lets the user set the API bearer token (kept in localStorage, sent as Authorization: Bearer). */
export function SettingsDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const [value, setValue] = useState(() => getToken() ?? '');
  const save = (token: string | null) => {
    setToken(token);
    setValue(token ?? '');
    void qc.invalidateQueries();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Settings" centered data-testid="settings-dialog">
      <Stack>
        <Text size="sm" c="dimmed">
          When the server is started with <code>SAGEBRUSH_API_TOKENS</code>, every API call needs one of those tokens. It is stored in
          this browser only.
        </Text>
        <PasswordInput label="API token" placeholder="Bearer token" value={value} onChange={(e) => setValue(e.currentTarget.value)} data-testid="settings-token" />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => save(null)}>
            Clear
          </Button>
          <Button onClick={() => save(value)} data-testid="settings-save">
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
