/**
 * Job data with live updates: Server-Sent Events patch the TanStack Query cache; while no event stream
 * is connected (old server, proxy that buffers, error) the queries poll every second instead.
 */
import { useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { streamEvents } from '../api/events.ts';
import { isTerminal, type Job, type JobEvent, type JobLogLine, type Page } from '../api/types.ts';

export const jobKeys = {
  all: ['jobs'] as const,
  list: (filters: JobFilters) => ['jobs', 'list', filters] as const,
  one: (id: string) => ['jobs', 'one', id] as const,
  logs: (id: string) => ['jobs', 'logs', id] as const,
};

export interface JobFilters {
  status?: string;
  type?: string;
}

function applyEvent(job: Job, ev: JobEvent): Job {
  return { ...job, status: ev.status ?? job.status, progress: ev.progress ?? job.progress, message: ev.message ?? job.message };
}

/** Opens an event stream while `enabled`; reports whether it is connected. */
function useEventStream(path: string | null, onEvent: (ev: JobEvent) => void): boolean {
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!path) return;
    const ac = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    const open = () => {
      streamEvents<JobEvent>(
        path,
        (ev) => {
          attempts = 0;
          setLive(true);
          onEvent(ev);
        },
        ac.signal,
      )
        .catch(() => undefined)
        .finally(() => {
          setLive(false);
          // Reconnect with back-off; polling covers the gap.
          if (!ac.signal.aborted && attempts < 5) retry = setTimeout(open, 1000 * 2 ** attempts++);
        });
    };
    open();
    return () => {
      ac.abort();
      if (retry) clearTimeout(retry);
    };
    // onEvent is recreated each render; the stream depends on the path only.
  }, [path]);
  return live;
}

export function useJob(id: string | undefined) {
  const qc = useQueryClient();
  // The stream's state is read by refetchInterval, which the query calls during its first render.
  const liveRef = useRef(false);
  const query = useQuery({
    queryKey: jobKeys.one(id ?? ''),
    queryFn: ({ signal }) => api<Job>(`/jobs/${encodeURIComponent(id!)}`, { signal }),
    enabled: Boolean(id),
    refetchInterval: (q) => (isTerminal(q.state.data?.status) ? false : liveRef.current ? 5000 : 1000),
  });
  const terminal = isTerminal(query.data?.status);
  const live = useEventStream(id && !terminal ? `/jobs/${encodeURIComponent(id)}/events` : null, (ev) => {
    if (ev.jobId && ev.jobId !== id) return;
    qc.setQueryData<Job>(jobKeys.one(id!), (old) => (old ? applyEvent(old, ev) : old));
    // The final state carries result/error/finishedAt: read it in full.
    if (isTerminal(ev.status)) void qc.invalidateQueries({ queryKey: jobKeys.one(id!) });
  });
  liveRef.current = live;
  return query;
}

function patchLists(qc: QueryClient, ev: JobEvent): boolean {
  let found = false;
  for (const [key, page] of qc.getQueriesData<Page<Job>>({ queryKey: ['jobs', 'list'] })) {
    if (!page) continue;
    const idx = page.items.findIndex((j) => j.id === ev.jobId);
    if (idx < 0) continue;
    found = true;
    const items = page.items.slice();
    items[idx] = applyEvent(items[idx]!, ev);
    qc.setQueryData(key, { ...page, items });
  }
  return found;
}

export function useJobs(filters: JobFilters) {
  const qc = useQueryClient();
  const live = useEventStream('/events', (ev) => {
    const known = patchLists(qc, ev);
    qc.setQueryData<Job>(jobKeys.one(ev.jobId), (old) => (old ? applyEvent(old, ev) : old));
    if (!known || isTerminal(ev.status)) void qc.invalidateQueries({ queryKey: ['jobs', 'list'] });
  });
  return useQuery({
    queryKey: jobKeys.list(filters),
    queryFn: ({ signal }) => api<Page<Job>>('/jobs', { query: { status: filters.status, type: filters.type, limit: 100 }, signal }),
    refetchInterval: live ? 15000 : 1000,
  });
}

/** Log lines, fetched incrementally with ?after=N while the job runs. */
export function useJobLogs(id: string, running: boolean) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: jobKeys.logs(id),
    queryFn: async ({ signal }) => {
      const prev = qc.getQueryData<JobLogLine[]>(jobKeys.logs(id)) ?? [];
      const page = await api<{ items: JobLogLine[] }>(`/jobs/${encodeURIComponent(id)}/logs`, { query: { after: prev.length }, signal });
      return page.items.length > 0 ? [...prev, ...page.items] : prev;
    },
    refetchInterval: running ? 1000 : false,
  });
}

export function cancelJob(id: string): Promise<Job> {
  return api<Job>(`/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
}
