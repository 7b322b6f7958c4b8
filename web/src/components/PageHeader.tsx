import type { ReactNode } from 'react';
import { Anchor, Breadcrumbs, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

/** A page under a list page: its breadcrumb (the list, then this page). */
export interface Crumb {
  to: string;
  label: string;
  current: ReactNode;
}

export function PageHeader({ title, description, actions, crumb }: { title: ReactNode; description?: ReactNode; actions?: ReactNode; crumb?: Crumb }) {
  const header = (
    <Group justify="space-between" align="flex-end" mb="lg" wrap="wrap" gap="sm">
      <Stack gap={2}>
        <Title order={2}>{title}</Title>
        {description && (
          <Text c="dimmed" size="sm">
            {description}
          </Text>
        )}
      </Stack>
      {actions && <Group gap="xs">{actions}</Group>}
    </Group>
  );
  if (!crumb) return header;
  return (
    <div>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to={crumb.to} size="sm">
          {crumb.label}
        </Anchor>
        <Text size="sm">{crumb.current}</Text>
      </Breadcrumbs>
      {header}
    </div>
  );
}

/** "name:version" as a page title, the version dimmed. */
export function NameVersionTitle({ name, version, 'data-testid': testId }: { name: string; version: number; 'data-testid'?: string }) {
  return (
    <span data-testid={testId}>
      {name}
      <Text span c="dimmed" inherit>
        :{version}
      </Text>
    </span>
  );
}
