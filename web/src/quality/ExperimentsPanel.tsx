import { useState, type FormEvent } from 'react';
import * as Plot from '@observablehq/plot';
import { Button, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { authDownloadClick } from '../api/download.ts';
import type { Job, ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useAction } from '../components/useAction.ts';
import { usePlot } from '../components/usePlot.ts';
import { jobKeys } from '../jobs/hooks.ts';
import { experimentChartUrl, parseNumberList, startLearningCurve, startSweep, type DataFields, type LearningCurveResult, type SweepResult } from './api.ts';
import { JobFollow } from './JobFollow.tsx';

interface Series {
  x: number;
  y: number | null;
  series: string;
}

/** A multi-series line chart (points + lines), x on a log scale when asked. */
function LineChart({ data, xLabel, logX = false, testId }: { data: Series[]; xLabel: string; logX?: boolean; testId: string }) {
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      const pts = data.filter((d) => d.y !== null);
      if (pts.length === 0) return null;
      return Plot.plot({
        width,
        height: 300,
        marginLeft: 48,
        marginRight: 24,
        style: { background: 'transparent', color: 'inherit', fontSize: '12px', overflow: 'visible' },
        x: { label: xLabel, type: logX ? 'log' : 'linear', grid: true },
        y: { label: 'score', domain: [0, 1], grid: true },
        color: { legend: true },
        marks: [
          Plot.line(pts, { x: 'x', y: 'y', stroke: 'series', strokeWidth: 2 }),
          Plot.dot(pts, { x: 'x', y: 'y', fill: 'series', r: 3.5, tip: true }),
        ],
      });
    },
    [data, xLabel, logX],
  );
  return (
    <div ref={sizeRef} data-testid={testId} style={{ width: '100%' }}>
      <div ref={hostRef} />
    </div>
  );
}

function ChartDownloads({ jobId, base }: { jobId: string; base: string }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <Group gap="xs">
      {(['svg', 'png'] as const).map((f) => {
        const url = experimentChartUrl(jobId, f);
        return (
          <Button key={f} component="a" href={url} download={`${base}.${f}`} size="xs" variant="light" onClick={authDownloadClick(url, `${base}.${f}`, setError)} data-testid={`experiment-download-${f}`}>
            ↓ {f.toUpperCase()}
          </Button>
        );
      })}
      {error !== null && <ErrorAlert error={error} title="Download failed" />}
    </Group>
  );
}

function SweepView({ result, jobId }: { result: SweepResult; jobId: string }) {
  const data: Series[] = result.points.flatMap((p) => [
    { x: p.n, y: p.precision, series: 'precision' },
    { x: p.n, y: p.recall, series: 'recall' },
    { x: p.n, y: p.f1, series: 'F1' },
    { x: p.n, y: p.auc, series: 'AUC' },
  ]);
  return (
    <Stack gap="xs" data-testid="sweep-result">
      <Group justify="space-between">
        <Text size="sm">
          “{result.label}” ({result.method}): {result.available_positives} positives available in {result.n_train} training documents; {result.test_positives} in the {result.n_test}-document test split.
        </Text>
        <ChartDownloads jobId={jobId} base={`sweep-${result.label}`} />
      </Group>
      <LineChart data={data} xLabel={`positives of “${result.label}” in training →`} logX testId="sweep-chart" />
    </Stack>
  );
}

function CurveView({ result, jobId }: { result: LearningCurveResult; jobId: string }) {
  const data: Series[] = result.points.flatMap((p) => [
    { x: p.n_train, y: p.macro_f1, series: 'macro F1' },
    { x: p.n_train, y: p.micro_f1, series: 'micro F1' },
    { x: p.n_train, y: p.mean_auc, series: 'mean AUC' },
  ]);
  return (
    <Stack gap="xs" data-testid="learning-curve-result">
      <Group justify="space-between">
        <Text size="sm">
          Nested, stratified subsets of {result.n_train} training documents; tested on {result.n_test}.
        </Text>
        <ChartDownloads jobId={jobId} base="learning-curve" />
      </Group>
      <LineChart data={data} xLabel="training documents →" testId="learning-curve-chart" />
    </Stack>
  );
}

/** Oversampling sweep and learning curve on the model's dataset (same mode and format options). */
/** `datasetName`: the training dataset's name for display (fields.dataset may be its id). */
export function ExperimentsPanel({ model, fields, datasetName }: { model: ModelVersion; fields: DataFields; datasetName: string }) {
  const qc = useQueryClient();
  const labels = model.params?.labels ?? [];
  const [kind, setKind] = useState<'sweep' | 'curve'>('sweep');
  const [label, setLabel] = useState<string | null>(labels[0] ?? null);
  const [positives, setPositives] = useState('10, 25, 50, 100, 200');
  const [method, setMethod] = useState<'oversample' | 'class-weight'>('oversample');
  const [fractions, setFractions] = useState('0.1, 0.2, 0.4, 0.6, 0.8, 1');
  const [job, setJob] = useState<{ job: Job; kind: 'sweep' | 'curve' } | null>(null);
  const { busy: starting, error, attempt } = useAction();
  const nList = parseNumberList(positives, { integer: true });
  const fList = parseNumberList(fractions, { max: 1 });
  const valid = kind === 'sweep' ? Boolean(label && nList) : Boolean(fList);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    await attempt(async () => {
      const r = kind === 'sweep' ? await startSweep(fields, label!, nList!, method) : await startLearningCurve(fields, fList!);
      setJob({ job: r.job, kind });
      void qc.invalidateQueries({ queryKey: jobKeys.all });
    });
  };

  return (
    <Paper withBorder p="md" radius="md" data-testid="experiments-panel">
      <Stack gap="sm">
        <form onSubmit={(e) => void submit(e)}>
          <Stack gap="sm">
            <SegmentedControl
              w={360}
              value={kind}
              onChange={(v) => setKind(v as 'sweep' | 'curve')}
              data={[
                { value: 'sweep', label: 'Oversampling sweep' },
                { value: 'curve', label: 'Learning curve' },
              ]}
              data-testid="experiment-kind"
            />
            <Group align="flex-end" gap="sm">
              {kind === 'sweep' ? (
                <>
                  <Select label="Label" data={labels} value={label} onChange={setLabel} allowDeselect={false} w={200} data-testid="sweep-label" />
                  <TextInput label="Positives (N list)" value={positives} onChange={(e) => setPositives(e.currentTarget.value)} error={nList ? undefined : 'positive integers'} w={240} data-testid="sweep-positives" />
                  <Select
                    label="Method"
                    data={[
                      { value: 'oversample', label: 'Oversample (duplicate)' },
                      { value: 'class-weight', label: 'Balanced class weights' },
                    ]}
                    value={method}
                    onChange={(v) => v && setMethod(v as 'oversample' | 'class-weight')}
                    allowDeselect={false}
                    w={220}
                    data-testid="sweep-method"
                  />
                </>
              ) : (
                <TextInput label="Fractions of the training part" value={fractions} onChange={(e) => setFractions(e.currentTarget.value)} error={fList ? undefined : 'numbers in (0, 1]'} w={300} data-testid="curve-fractions" />
              )}
              <Button type="submit" loading={starting} disabled={!valid} data-testid="experiment-submit">
                Run {kind === 'sweep' ? 'sweep' : 'learning curve'}
              </Button>
            </Group>
            <Text size="xs" c="dimmed">
              On {datasetName}
              {fields.datasetVersion ? ` v${fields.datasetVersion}` : ''} ({fields.mode}); one fixed test split, a model trained per point.
            </Text>
          </Stack>
        </form>
        {error !== null && <ErrorAlert error={error} title="Cannot start the experiment" />}
        {job && (
          <JobFollow<SweepResult | LearningCurveResult> key={job.job.id} jobId={job.job.id} label={job.kind === 'sweep' ? 'Sweep' : 'Learning curve'} testId="experiment">
            {(r) => (job.kind === 'sweep' ? <SweepView result={r as SweepResult} jobId={job.job.id} /> : <CurveView result={r as LearningCurveResult} jobId={job.job.id} />)}
          </JobFollow>
        )}
      </Stack>
    </Paper>
  );
}
