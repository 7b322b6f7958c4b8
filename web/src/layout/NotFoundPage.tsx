import { Button } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from '../components/EmptyState.tsx';

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found">
      There is nothing at this address.{' '}
      <Button component={Link} to="/datasets" variant="subtle" size="compact-sm">
        Go to datasets
      </Button>
    </EmptyState>
  );
}
