/**
 * A run's steps drawn as a DAG (SVG, layered left to right by dag.ts), each node coloured by the step's live state;
 * clicking a node selects the step (its log and outputs show below the graph).
 */
import { useMemo } from 'react';
import { Paper, ScrollArea } from '@mantine/core';
import type { PipelineDefinition } from '../../../src/domains/pipelines/index.ts';
import type { PipelineStepRun } from './api.ts';
import { layoutDag } from './dag.ts';

const W = 150, H = 46, GX = 60, GY = 22, PAD = 12;
const FILL: Record<string, string> = {
  pending: 'var(--mantine-color-gray-1)', starting: 'var(--mantine-color-blue-1)', running: 'var(--mantine-color-blue-2)',
  waiting: 'var(--mantine-color-yellow-2)', succeeded: 'var(--mantine-color-teal-2)', failed: 'var(--mantine-color-red-2)',
  skipped: 'var(--mantine-color-gray-3)', cancelled: 'var(--mantine-color-orange-2)',
};
const STROKE: Record<string, string> = { running: 'var(--mantine-color-blue-6)', waiting: 'var(--mantine-color-yellow-7)', failed: 'var(--mantine-color-red-6)' };

interface Props { steps: PipelineDefinition['steps']; runs: PipelineStepRun[]; selected: string | null; onSelect: (step: string) => void }

export function RunDag({ steps, runs, selected, onSelect }: Props) {
  const dag = useMemo(() => layoutDag(steps), [steps]);
  const state = new Map(runs.map((r) => [r.name, r]));
  const pos = new Map(dag.nodes.map((n) => [n.name, { x: PAD + n.layer * (W + GX), y: PAD + n.row * (H + GY) }]));
  const width = PAD * 2 + dag.layers * W + (dag.layers - 1) * GX;
  const height = PAD * 2 + dag.rows * H + (dag.rows - 1) * GY;
  return (
    <Paper withBorder p="xs">
      <ScrollArea>
        <svg width={width} height={height} role="img" aria-label="Pipeline steps" data-testid="run-dag" style={{ display: 'block', fontFamily: 'var(--mantine-font-family)' }}>
          <defs>
            <marker id="dag-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--mantine-color-gray-6)" />
            </marker>
          </defs>
          {dag.edges.map((e) => {
            const a = pos.get(e.from)!, b = pos.get(e.to)!;
            const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
            return (
              <g key={`${e.from}>${e.to}`}>
                <path d={`M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`} fill="none" stroke="var(--mantine-color-gray-5)" strokeDasharray={e.label === 'else' ? '4 3' : undefined} markerEnd="url(#dag-arrow)" />
                {e.label && <text x={mx} y={(y1 + y2) / 2 - 3} fontSize={10} textAnchor="middle" fill="var(--mantine-color-dimmed)">{e.label}</text>}
              </g>
            );
          })}
          {dag.nodes.map((n) => {
            const p = pos.get(n.name)!;
            const s = state.get(n.name);
            const status = s?.status ?? 'pending';
            const isSel = selected === n.name;
            return (
              <g key={n.name} transform={`translate(${p.x},${p.y})`} onClick={() => onSelect(n.name)} style={{ cursor: 'pointer' }} data-testid={`dag-node-${n.name}`} data-status={status} data-cached={s?.cached ? 'true' : undefined}>
                <title>{`${n.name} (${n.type}): ${status}${s?.cached ? ', cached' : ''}${s?.error ? ` — ${s.error.code}: ${s.error.message}` : ''}`}</title>
                <rect width={W} height={H} rx={8} fill={FILL[status] ?? FILL.pending} stroke={isSel ? 'var(--mantine-color-blue-8)' : (STROKE[status] ?? 'var(--mantine-color-gray-5)')} strokeWidth={isSel ? 3 : 1.5} />
                <text x={10} y={19} fontSize={13} fontWeight={600} fill="var(--mantine-color-black)">{n.name.length > 18 ? `${n.name.slice(0, 17)}…` : n.name}</text>
                <text x={10} y={36} fontSize={11} fill="var(--mantine-color-dark-4)">{`${n.type} · ${status}${s?.cached ? ' · cached' : ''}`}</text>
              </g>
            );
          })}
        </svg>
      </ScrollArea>
    </Paper>
  );
}
