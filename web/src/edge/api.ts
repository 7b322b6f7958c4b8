/** Edge API (src/domains/edge): fleets, a fleet's status (devices + deployment history). */
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Deployment, DeviceStatus, Fleet, FleetStatus } from '../../../src/domains/edge/index.ts';

export type { Deployment, DeviceStatus, Fleet, FleetStatus };

export function useFleets() {
  return useQuery({ queryKey: ['edge-fleets'], queryFn: () => api<{ items: Fleet[] }>('/edge/fleets'), refetchInterval: 10_000 });
}

export function useFleet(name: string) {
  return useQuery({ queryKey: ['edge-fleet', name], queryFn: () => api<FleetStatus>(`/edge/fleets/${encodeURIComponent(name)}`), refetchInterval: 3000 });
}

/** "12 s ago", "3 min ago", "never". */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export const STATE_COLORS: Record<Deployment['state'], string> = { canary: 'yellow', promoted: 'teal', rolled_back: 'red', superseded: 'gray' };
