import type { ReactNode } from 'react';
import { Paper, Stack, Text, Title } from '@mantine/core';

/** A friendly placeholder for empty lists. */
export function EmptyState({ title, children, 'data-testid': testId }: { title: string; children?: ReactNode; 'data-testid'?: string }) {
  return (
    <Paper withBorder radius="md" p="xl" data-testid={testId ?? 'empty-state'} style={{ borderStyle: 'dashed' }}>
      <Stack align="center" gap={6}>
        <Title order={4} ta="center">
          {title}
        </Title>
        {children && (
          <Text c="dimmed" size="sm" ta="center" maw={520}>
            {children}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
