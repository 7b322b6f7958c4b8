/**
 * One image of a job in the box editor: labeling (draw, save → a PENDING record) or verification (approve, reject,
 * or adjust the labeler's boxes → APPROVED / REJECTED record), with a class picker, zoom, keyboard shortcuts (listed
 * on screen) and the image's history from the feature store.
 */
import { useEffect, useState } from 'react';
import { Badge, Button, Group, Kbd, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatDate } from '../components/format.ts';
import { useAction } from '../components/useAction.ts';
import { fetchImageBlobUrl } from '../images/api.ts';
import { imageUrl, saveTask, useHistory, useJob, useMe, useTasks, type LabelingTask } from './api.ts';
import { BoxEditor, classColor } from './BoxEditor.tsx';
import { initialState, removeSelected, sameBoxes, setClass, undo, type Box, type EditorState } from './editorState.ts';
import { useEditorKeys } from './useEditorKeys.ts';

const ZOOMS = [0.5, 0.75, 1, 1.5, 2, 3, 4];
const startBoxes = (t: LabelingTask): Box[] => (t.boxes ?? (t.labeler !== null ? t.inputBoxes : null) ?? []).map(({ classId, x, y, w, h }) => ({ classId, x, y, w, h }));

function useBlobUrl(url: string): { src: string | null; error: unknown } {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const ctl = new AbortController();
    let made: string | null = null;
    fetchImageBlobUrl(url, ctl.signal).then((u) => { made = u; setSrc(u); }, (e: unknown) => { if (!ctl.signal.aborted) setError(e); });
    return () => { ctl.abort(); if (made) URL.revokeObjectURL(made); setSrc(null); };
  }, [url]);
  return { src, error };
}

function History({ id, n }: { id: string; n: number }) {
  const history = useHistory(id, n);
  return (
    <Paper withBorder p="sm" data-testid="image-history">
      <Text fw={600} size="sm" mb={4}>History in the feature store ({history.data?.image ?? '…'})</Text>
      {history.error ? <ErrorAlert error={history.error} /> : null}
      {history.data && history.data.items.length === 0 && <Text size="sm" c="dimmed">No label records yet.</Text>}
      {history.data && history.data.items.length > 0 && (
        <Table fz="xs" withTableBorder>
          <Table.Thead><Table.Tr><Table.Th>Event time</Table.Th><Table.Th>Status</Table.Th><Table.Th>Labeler</Table.Th><Table.Th>Verifier</Table.Th><Table.Th>Boxes</Table.Th><Table.Th>Job</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {history.data.items.map((r, i) => {
              const v = r.values as { status: string; labeler: string; verifier: string; job: string; boxes: unknown };
              const boxes = typeof v.boxes === 'string' ? (JSON.parse(v.boxes) as unknown[]) : (v.boxes as unknown[] | null);
              return (
                <Table.Tr key={i} data-testid="history-row" data-status={v.status} data-labeler={v.labeler} data-verifier={v.verifier}>
                  <Table.Td>{formatDate(r.eventTime)}</Table.Td>
                  <Table.Td><Badge size="xs" variant="light" color={v.status === 'APPROVED' ? 'teal' : v.status === 'REJECTED' ? 'red' : 'gray'}>{v.status}</Badge></Table.Td>
                  <Table.Td>{v.labeler}</Table.Td>
                  <Table.Td>{v.verifier || '—'}</Table.Td>
                  <Table.Td>{boxes?.length ?? 0}</Table.Td>
                  <Table.Td><Text size="xs" ff="monospace">{v.job}</Text></Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

export function TaskPage() {
  const { id = '', n: nParam = '0' } = useParams();
  const n = Number(nParam);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const job = useJob(id);
  const tasks = useTasks(id);
  const me = useMe();
  const task = tasks.data?.items.find((t) => t.position === n);
  const { src, error: imgError } = useBlobUrl(imageUrl(id, n));
  const [state, setState] = useState<EditorState>(initialState([]));
  const [classId, setClassId] = useState(0);
  const [zoom, setZoom] = useState(2);
  const { busy, error, setError, attempt } = useAction();
  const loadedKey = task ? `${id}:${n}:${task.doneAt ?? ''}` : '';
  useEffect(() => {
    if (task) setState(initialState(startBoxes(task)));
    setError(null);
  }, [loadedKey]); // reset only when another task (or a new save) loads

  const j = job.data;
  const verify = j?.kind === 'verify';
  const classes = j?.classes ?? [];
  const total = tasks.data?.items.length ?? 0;
  const go = (to: number) => { if (to >= 0 && to < total) void navigate(`/labeling/jobs/${id}/tasks/${to}`); };
  const changed = task ? !sameBoxes(state.boxes, startBoxes(task)) : false;
  const scale = Math.min(2, 760 / Math.max(1, task?.width ?? 450)) * (zoom / 2);

  async function save(decision?: 'approve' | 'reject' | 'adjust') {
    const body = verify ? (decision === 'adjust' ? { decision, boxes: state.boxes } : { decision }) : { boxes: state.boxes };
    const saved = await attempt(() => saveTask(id, n, body));
    if (!saved) return;
    await Promise.all([qc.invalidateQueries({ queryKey: ['labeling-tasks', id] }), qc.invalidateQueries({ queryKey: ['labeling-job', id] }), qc.invalidateQueries({ queryKey: ['labeling-history', id, n] })]);
  }

  const shortcuts = useEditorKeys({
    next: () => go(n + 1),
    previous: () => go(n - 1),
    undo: () => setState((s) => undo(s)),
    remove: () => setState((s) => removeSelected(s)),
    pickClass: (k) => { if (k < classes.length) { setClassId(k); setState((s) => setClass(s, k)); } },
    zoomIn: () => setZoom((z) => ZOOMS.find((v) => v > z) ?? z),
    zoomOut: () => setZoom((z) => [...ZOOMS].reverse().find((v) => v < z) ?? z),
    save: () => void save(verify ? (changed ? 'adjust' : 'approve') : undefined),
  });

  return (
    <Stack>
      <PageHeader
        title={task ? task.ref : `Task ${n}`}
        description={j ? `${verify ? 'Verify' : 'Label'} · ${j.name} · image ${n + 1} of ${total} · assigned to ${task?.assignee ?? '…'}${task?.labeler ? ` · labeled by ${task.labeler}` : ''} · you are ${me.data?.principal ?? '…'}` : undefined}
        crumb={{ to: `/labeling/jobs/${id}`, label: j?.name ?? 'Job', current: `image ${n + 1}` }}
        actions={
          <Group gap="xs">
            <Button variant="default" onClick={() => go(n - 1)} disabled={n <= 0} data-testid="task-previous">Previous</Button>
            <Button variant="default" onClick={() => go(n + 1)} disabled={n >= total - 1} data-testid="task-next">Next</Button>
          </Group>
        }
      />
      {job.error || tasks.error || imgError ? <ErrorAlert error={job.error ?? tasks.error ?? imgError} /> : null}
      {error ? <ErrorAlert error={error} title="Not saved" /> : null}
      <Group align="flex-start" wrap="nowrap" gap="md">
        <Paper withBorder p={4} style={{ overflow: 'auto', maxWidth: 940, maxHeight: 680 }} data-testid="task-editor" data-position={n} data-kind={j?.kind ?? ''}>
          {task && <BoxEditor src={src} width={task.width} height={task.height} scale={scale} state={state} onChange={setState} classId={classId} classes={classes} prelabels={verify ? null : task.inputBoxes} />}
        </Paper>
        <Stack gap="sm" w={300}>
          <Group gap="xs">
            {task && <Badge variant="light" color={task.status === 'done' ? 'teal' : 'gray'} data-testid="task-status" data-status={task.status} data-outcome={task.outcome ?? ''}>{task.status}{task.outcome ? ` · ${task.outcome}` : ''}</Badge>}
            <Text size="sm" data-testid="box-count">{state.boxes.length} box(es)</Text>
          </Group>
          <div>
            <Text size="sm" fw={500} mb={4}>Class</Text>
            <SegmentedControl fullWidth orientation={classes.length > 3 ? 'vertical' : 'horizontal'} value={String(classId)} onChange={(v) => { setClassId(Number(v)); setState((s) => setClass(s, Number(v))); }}
              data={classes.map((c, k) => ({ value: String(k), label: <span style={{ color: classColor(k) }}>{k + 1}. {c}</span> }))} data-testid="class-picker" />
          </div>
          <Group gap="xs">
            <Button size="xs" variant="default" onClick={() => setZoom((z) => [...ZOOMS].reverse().find((v) => v < z) ?? z)} data-testid="zoom-out">−</Button>
            <Text size="sm" data-testid="zoom-level">{Math.round(zoom * 50)} %</Text>
            <Button size="xs" variant="default" onClick={() => setZoom((z) => ZOOMS.find((v) => v > z) ?? z)} data-testid="zoom-in">+</Button>
            <Button size="xs" variant="default" onClick={() => setState((s) => undo(s))} disabled={state.undo.length === 0} data-testid="editor-undo">Undo</Button>
            <Button size="xs" variant="default" color="red" onClick={() => setState((s) => removeSelected(s))} disabled={state.selected === null} data-testid="editor-delete">Delete box</Button>
          </Group>
          {!verify && task?.inputBoxes && task.inputBoxes.length > 0 && (
            <Button size="xs" variant="light" color="yellow" onClick={() => setState((s) => ({ ...s, boxes: [...s.boxes, ...startPre(task)], undo: [...s.undo, s.boxes] }))} data-testid="use-prelabels">Use the {task.inputBoxes.length} pre-label(s)</Button>
          )}
          {verify ? (
            <Group gap="xs">
              <Button color="teal" onClick={() => void save(changed ? 'adjust' : 'approve')} loading={busy} data-testid={changed ? 'verify-adjust' : 'verify-approve'}>{changed ? 'Approve adjusted' : 'Approve'}</Button>
              <Button color="red" variant="light" onClick={() => void save('reject')} loading={busy} data-testid="verify-reject">Reject</Button>
            </Group>
          ) : (
            <Button onClick={() => void save()} loading={busy} data-testid="task-save">Save labels</Button>
          )}
          <Paper withBorder p="xs" data-testid="shortcuts">
            <Text size="xs" fw={600} mb={4}>Keyboard</Text>
            {shortcuts.map((s) => (
              <Text size="xs" key={s.label}>{s.keys.map((k) => <Kbd key={k} size="xs" mr={2}>{k}</Kbd>)} {s.label}</Text>
            ))}
          </Paper>
        </Stack>
      </Group>
      <Title order={5}>Image history</Title>
      <History id={id} n={n} />
    </Stack>
  );
}

const startPre = (t: LabelingTask): Box[] => (t.inputBoxes ?? []).map(({ classId, x, y, w, h }) => ({ classId, x, y, w, h }));
