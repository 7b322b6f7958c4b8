import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from '../api/client.ts';
import type { Page } from '../api/types.ts';

/**
 * A list endpoint `{items, nextCursor}`. A 404 (the route does not exist on this server yet) reads as
 * an empty list, so pages for domains still being built show their empty state instead of an error.
 */
export function useList<T>(key: string, path: string) {
  return useQuery({
    queryKey: [key, 'list'],
    queryFn: async ({ signal }) => {
      try {
        return await api<Page<T>>(path, { query: { limit: 200 }, signal });
      } catch (err) {
        if (isApiError(err) && err.status === 404) return { items: [], nextCursor: null } satisfies Page<T>;
        throw err;
      }
    },
    refetchInterval: 10_000,
  });
}
