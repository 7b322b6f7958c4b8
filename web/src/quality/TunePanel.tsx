import { useEffect, useState, type FormEvent } from 'react';
import { Badge, Button, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { authDownloadClick } from '../api/download.ts';
import type { Job, ModelVersion, TextMetrics } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDate } from '../components/format.ts';
import { useAction } from '../components/useAction.ts';
import { jobKeys } from '../jobs/hooks.ts';
import { formatMetric, num } from '../models/metrics.ts';
import {
  describeObjective,
  objectiveOf,
  putDecision,
  qualityKeys,
  resetDecision,
  startTune,
  tuningReportUrl,
  isTuned,
  useDecision,
  useTuningReport,
  type Decision,
  type ObjectiveKind,
  type TuneResult,
  type TuningReport,
} from './api.ts';
import { JobFollow } from './JobFollow.tsx';
import { PrCurveChart } from './PrCurveChart.tsx';

const OBJECTIVES: Array<{ value: ObjectiveKind; label: string }> = [
  { value: 'f1', label: 'F1 (balanced)' },
  { value: 'f0.5', label: 'F0.5 (favour precision)' },
  { value: 'f2', label: 'F2 (favour recall)' },
  { value: 'precision', label: 'Precision ≥ X (best recall)' },
  { value: 'recall', label: 'Recall ≥ X (best precision)' },
];

/** Refreshes the decision and report once a tuning job has succeeded. */
function TuneDone({ name, version, result }: { name: string; version: number; result: TuneResult }) {
  const qc = useQueryClient();
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: qualityKeys.decision(name, version) });
    void qc.invalidateQueries({ queryKey: qualityKeys.report(name, version) });
    // The model version now lists the report among its artifacts: refetch it so the report is asked for.
    void qc.invalidateQueries({ queryKey: ['models'] });
  }, [qc, name, version]);
  return (
    <Text size="sm" c="teal" data-testid="tune-done">
      Tuned for {describeObjective(result.objective)} in {result.tuneSeconds.toFixed(1)} s ({result.folds}-fold out-of-fold scores). The new rule is live for endpoints and batch jobs.
    </Text>
  );
}

function Delta({ before, after }: { before: number | null; after: number | null }) {
  if (before === null || after === null) return null;
  const d = after - before;
  if (Math.abs(d) < 0.0005) return null;
  return (
    <Text span size="xs" c={d > 0 ? 'teal' : 'red'} ml={4}>
      {d > 0 ? '+' : ''}
      {d.toFixed(3)}
    </Text>
  );
}

/** Precision / recall / F1 per label (and macro, micro) at the default rule vs the tuned one, on the test split. */
export function BeforeAfterTable({ report }: { report: TuningReport }) {
  const b: TextMetrics = report.before;
  const a: TextMetrics = report.after;
  const rows: Array<{ key: string; name: string; strong?: boolean; vals: Array<[number | null, number | null]>; t?: number | null }> = report.labels.map((l) => ({
    key: l,
    name: l,
    vals: [
      [num(b.per_label?.[l]?.precision), num(a.per_label?.[l]?.precision)],
      [num(b.per_label?.[l]?.recall), num(a.per_label?.[l]?.recall)],
      [num(b.per_label?.[l]?.f1), num(a.per_label?.[l]?.f1)],
    ],
    t: report.thresholds?.[l] ?? null,
  }));
  rows.push({ key: 'macro', name: 'macro', strong: true, vals: [[num(b.precision_macro), num(a.precision_macro)], [num(b.recall_macro), num(a.recall_macro)], [num(b.macro_f1), num(a.macro_f1)]] });
  rows.push({ key: 'micro', name: 'micro', strong: true, vals: [[num(b.micro_precision), num(a.micro_precision)], [num(b.micro_recall), num(a.micro_recall)], [num(b.micro_f1), num(a.micro_f1)]] });
  const defaultName = report.mode === 'multi-label' ? '@ 0.5' : 'top class';
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing={4} withTableBorder withColumnBorders fz="sm" data-testid="before-after-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th rowSpan={2}>Label</Table.Th>
            {['Precision', 'Recall', 'F1'].map((h) => (
              <Table.Th key={h} colSpan={2} ta="center">
                {h}
              </Table.Th>
            ))}
            {report.mode === 'multi-label' && <Table.Th rowSpan={2} ta="right">Threshold</Table.Th>}
          </Table.Tr>
          <Table.Tr>
            {[0, 1, 2].map((i) => [
              <Table.Th key={`b${i}`} ta="right" c="dimmed" fw={500}>
                {defaultName}
              </Table.Th>,
              <Table.Th key={`a${i}`} ta="right">
                tuned
              </Table.Th>,
            ])}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key} data-testid="before-after-row" data-label={r.key} fw={r.strong ? 600 : undefined}>
              <Table.Td>{r.name}</Table.Td>
              {r.vals.map(([bv, av], i) => [
                <Table.Td key={`b${i}`} ta="right" c="dimmed" className="sb-num">
                  {formatMetric(bv)}
                </Table.Td>,
                <Table.Td key={`a${i}`} ta="right" className="sb-num">
                  {formatMetric(av)}
                  <Delta before={bv} after={av} />
                </Table.Td>,
              ])}
              {report.mode === 'multi-label' && (
                <Table.Td ta="right" className="sb-num">
                  {r.t === null || r.t === undefined ? '' : r.t.toFixed(3)}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {report.mode === 'multi-class' && (
        <Text size="xs" c="dimmed" mt={4}>
          Multi-class: precision = accuracy of the answered documents, recall = correct answers / all; abstain below {report.abstainBelow ?? '—'}
          {typeof (a as { abstained?: unknown }).abstained === 'number' ? ` (${String((a as { abstained?: unknown }).abstained)} abstained)` : ''}.
        </Text>
      )}
    </Table.ScrollContainer>
  );
}

/** Per-label thresholds (multi-label) or the abstain level (multi-class), saved with PUT, reset with DELETE. */
function DecisionEditor({ model, decision, onChange }: { model: ModelVersion; decision: Decision; onChange: (draft: Record<string, number>) => void }) {
  const qc = useQueryClient();
  const labels = decision.labels;
  const initial = () => Object.fromEntries(labels.map((l) => [l, decision.thresholds?.[l] ?? 0.5]));
  const [draft, setDraft] = useState<Record<string, number>>(initial);
  const [abstain, setAbstain] = useState<number | ''>(decision.abstainBelow ?? '');
  const { busy, error, attempt } = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const key = JSON.stringify([decision.thresholds, decision.abstainBelow]);
  useEffect(() => {
    const d = initial();
    setDraft(d);
    onChange(d);
    setAbstain(decision.abstainBelow ?? '');
  }, [key]);

  const multiLabel = decision.mode === 'multi-label';
  const dirty = multiLabel ? labels.some((l) => Math.abs((draft[l] ?? 0.5) - (decision.thresholds?.[l] ?? 0.5)) > 1e-9) : (abstain === '' ? null : abstain) !== decision.abstainBelow;
  const run = async (what: 'save' | 'reset') => {
    await attempt(async () => {
      setSaved(null);
      if (what === 'reset') await resetDecision(model.name, model.version);
      else await putDecision(model.name, model.version, multiLabel ? { thresholds: draft } : { abstainBelow: abstain === '' ? null : abstain });
      await qc.invalidateQueries({ queryKey: qualityKeys.decision(model.name, model.version) });
      setSaved(what === 'reset' ? 'Back to the defaults.' : 'Saved.');
    });
  };

  return (
    <Stack gap="xs" data-testid="decision-editor" data-source={decision.source ?? 'default'}>
      <Group gap="xs">
        <Text size="sm" fw={600}>
          Decision rule
        </Text>
        <Badge variant="light" color={decision.source === 'manual' ? 'orange' : decision.source ? 'teal' : 'gray'} data-testid="decision-source">
          {decision.source === 'manual' ? 'edited by hand' : decision.source ? `tuned (${describeObjective(decision.objective)})` : 'defaults'}
        </Badge>
        {(decision.editedAt ?? decision.tunedAt) && (
          <Text size="xs" c="dimmed">
            {formatDate(decision.editedAt ?? decision.tunedAt)}
          </Text>
        )}
      </Group>
      {multiLabel ? (
        <Table verticalSpacing={4} fz="sm" data-testid="thresholds-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Label</Table.Th>
              <Table.Th>Threshold (predict when score ≥ t)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {labels.map((l) => (
              <Table.Tr key={l} data-testid="threshold-row" data-label={l}>
                <Table.Td fw={500}>{l}</Table.Td>
                <Table.Td>
                  <NumberInput
                    size="xs"
                    w={120}
                    min={0}
                    max={1}
                    step={0.01}
                    decimalScale={4}
                    value={draft[l] ?? 0.5}
                    onChange={(v) => {
                      const n = typeof v === 'number' ? v : Number(v);
                      if (!Number.isFinite(n)) return;
                      const next = { ...draft, [l]: Math.min(1, Math.max(0, n)) };
                      setDraft(next);
                      onChange(next);
                    }}
                    aria-label={`Threshold for ${l}`}
                    data-testid="threshold-input"
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <NumberInput
          label="Abstain below"
          description="Answer no class when the top score is under this level (empty: always answer the top class)"
          min={0}
          max={1}
          step={0.01}
          decimalScale={4}
          w={320}
          value={abstain}
          onChange={(v) => setAbstain(v === '' ? '' : Math.min(1, Math.max(0, Number(v))))}
          data-testid="abstain-input"
        />
      )}
      <Group gap="xs">
        <Button size="xs" onClick={() => void run('save')} disabled={!dirty || busy} loading={busy} data-testid="decision-save">
          Save
        </Button>
        <Button size="xs" variant="default" onClick={() => void run('reset')} disabled={busy || (decision.source === null && !dirty)} data-testid="decision-reset">
          Reset to defaults
        </Button>
        {saved && (
          <Text size="xs" c="teal" data-testid="decision-saved">
            {saved}
          </Text>
        )}
      </Group>
      {error !== null && <ErrorAlert error={error} title="Cannot save the decision rule" />}
    </Stack>
  );
}

function ReportDownloads({ model }: { model: ModelVersion }) {
  const [error, setError] = useState<unknown>(null);
  const link = (format: 'html' | 'svg' | 'png', file: string) => {
    const url = tuningReportUrl(model.name, model.version, format);
    return (
      <Button key={format} component="a" href={url} download={file} size="xs" variant="light" onClick={authDownloadClick(url, file, setError)} data-testid={`tuning-download-${format}`}>
        ↓ {format.toUpperCase()}
      </Button>
    );
  };
  const base = `${model.name}-v${model.version}`;
  return (
    <Group gap="xs">
      <Text size="xs" c="dimmed">
        Report:
      </Text>
      {link('html', `${base}-tuning-report.html`)}
      {link('svg', `${base}-pr-curves.svg`)}
      {link('png', `${base}-pr-curves.png`)}
      {error !== null && <ErrorAlert error={error} title="Download failed" />}
    </Group>
  );
}

/** "Tune thresholds": objective → text.tune job → before/after, PR curves, editable decision rule, report downloads. */
export function TunePanel({ model }: { model: ModelVersion }) {
  const qc = useQueryClient();
  const [kind, setKind] = useState<ObjectiveKind>('f1');
  const [target, setTarget] = useState<number>(0.9);
  const [job, setJob] = useState<Job | null>(null);
  const { busy: starting, error: startError, attempt } = useAction();
  const [curveLabel, setCurveLabel] = useState<string | null>(null);
  const [draft, setDraft] = useState<Record<string, number>>({});
  const tuned = isTuned(model);
  const { data: report, error: reportError } = useTuningReport(model);
  const { data: decision, error: decisionError } = useDecision(model.name, model.version);
  const multiClass = model.params?.mode === 'multi-class';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await attempt(async () => {
      const { job: j } = await startTune(model.name, model.version, objectiveOf(kind, target));
      setJob(j);
      void qc.invalidateQueries({ queryKey: jobKeys.all });
    });
  };

  const curves = report?.curves ?? [];
  const curve = curves.find((c) => c.label === curveLabel) ?? curves[0];

  return (
    <Paper withBorder p="md" radius="md" data-testid="tune-panel">
      <Stack gap="md">
        <form onSubmit={(e) => void submit(e)}>
          <Group align="flex-end" gap="sm">
            <Select label="Objective" data={OBJECTIVES} value={kind} onChange={(v) => v && setKind(v as ObjectiveKind)} allowDeselect={false} w={260} data-testid="tune-objective" />
            {(kind === 'precision' || kind === 'recall') && (
              <NumberInput label={`${kind} at least`} min={0.01} max={1} step={0.05} decimalScale={3} w={140} value={target} onChange={(v) => setTarget(Number(v) || 0.9)} data-testid="tune-target" />
            )}
            <Button type="submit" loading={starting} disabled={model.status !== 'ready'} data-testid="tune-submit">
              Tune {multiClass ? 'abstain level' : 'thresholds'}
            </Button>
          </Group>
          <Text size="xs" c="dimmed" mt={4}>
            Chooses {multiClass ? 'an abstain level' : 'a threshold per label'} on 5-fold out-of-fold scores of the training part, then measures before/after on the test split (never seen by tuning).
          </Text>
        </form>
        {startError !== null && <ErrorAlert error={startError} title="Cannot start tuning" />}
        {job && (
          <JobFollow<TuneResult> key={job.id} jobId={job.id} label="Tuning" testId="tune">
            {(result) => <TuneDone name={model.name} version={model.version} result={result} />}
          </JobFollow>
        )}
        {reportError && <ErrorAlert error={reportError} title="Cannot load the tuning report" />}
        {report && (
          <Stack gap="sm" data-testid="tuning-report">
            <Group justify="space-between">
              <Text size="sm">
                Last tuning: <b>{describeObjective(report.objective)}</b>, {report.folds} folds, {report.nTrain} training / {report.nTest} test documents · {formatDate(report.tunedAt)}
              </Text>
              <ReportDownloads model={model} />
            </Group>
            <BeforeAfterTable report={report} />
          </Stack>
        )}
        {(!tuned || report === null) && !job && (
          <Text size="sm" c="dimmed" data-testid="tune-none">
            Not tuned yet: the model predicts at 0.5 per label (multi-label) or always the top class (multi-class).
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, md: curve ? 2 : 1 }} spacing="lg">
          {curve && (
            <Stack gap="xs">
              <Group gap="xs" justify="space-between">
                <Text size="sm" fw={600}>
                  Precision–recall {multiClass ? '(answered documents)' : ''}
                </Text>
                {curves.length > 1 && (
                  <Select size="xs" w={200} aria-label="Label" data={curves.map((c) => c.label)} value={curve.label} onChange={setCurveLabel} allowDeselect={false} data-testid="pr-label" />
                )}
              </Group>
              <PrCurveChart curve={curve} current={multiClass ? (decision?.abstainBelow ?? null) : (draft[curve.label] ?? null)} />
              <Text size="xs" c="dimmed">
                out-of-fold · average precision {formatMetric(curve.average_precision)}
              </Text>
            </Stack>
          )}
          {decisionError ? <ErrorAlert error={decisionError} title="Cannot load the decision rule" /> : decision ? <DecisionEditor model={model} decision={decision} onChange={setDraft} /> : null}
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}
