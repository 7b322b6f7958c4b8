/** "Advanced metrics" of an image model: headline cards, per-class table and chart, confusion matrix, calibration, split, what the build tried. */
import type { ReactNode } from 'react';
import { Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import * as Plot from '@observablehq/plot';
import type { TextMetrics } from '../api/types.ts';
import { TableCard } from '../components/DataTable.tsx';
import { formatNumber } from '../components/format.ts';
import { ProblemList } from '../components/ProblemList.tsx';
import { usePlot } from '../components/usePlot.ts';
import { ConfusionMatrix } from '../models/ConfusionMatrix.tsx';
import { PerLabelMetrics } from '../models/MetricsTables.tsx';
import { formatMetric, num } from '../models/metrics.ts';
import type { ImageMetrics, ImageReport } from './api.ts';
import { groupedMetricRows, type GroupedDatum } from './read.ts';

function Card({ label, value, hint, metric, sub }: { label: string; value: string; hint: string; metric: string; sub?: ReactNode }) {
  const long = value.length > 6;
  return (
    <Paper withBorder p="md" radius="md" data-testid="images-metric-card" data-metric={metric}>
      <Tooltip label={hint} multiline w={280} openDelay={200}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={700} style={{ cursor: 'help' }}>
          {label}
        </Text>
      </Tooltip>
      <Text fz={long ? 22 : 28} fw={700} className="sb-num" style={{ whiteSpace: 'nowrap' }} data-testid={`images-metric-${metric}`}>
        {value}
      </Text>
      {sub && (
        <Text size="xs" c="dimmed">
          {sub}
        </Text>
      )}
    </Paper>
  );
}

const METRIC_COLORS = ['var(--mantine-color-teal-6)', 'var(--mantine-color-indigo-5)', 'var(--mantine-color-orange-6)', 'var(--mantine-color-grape-5)'];

function GroupedBars({ data }: { data: GroupedDatum[] }) {
  const { sizeRef, hostRef } = usePlot(
    (width) => {
      if (data.length === 0) return null;
      const metrics = [...new Set(data.map((d) => d.metric))];
      return Plot.plot({
        width,
        height: 280,
        marginBottom: 40,
        style: { background: 'transparent', color: 'inherit', fontSize: '12px', overflow: 'visible' },
        fx: { label: null, padding: 0.15 },
        x: { axis: null, domain: metrics },
        y: { label: 'score', domain: [0, 1], grid: true },
        color: { domain: metrics, range: METRIC_COLORS.slice(0, metrics.length), legend: true },
        marks: [Plot.barY(data, { fx: 'label', x: 'metric', y: 'value', fill: 'metric', tip: true }), Plot.ruleY([0])],
      });
    },
    [data],
  );
  return (
    <div ref={sizeRef} style={{ width: '100%' }} data-testid="images-per-class-chart">
      <div ref={hostRef} />
    </div>
  );
}

function describeSplit(split: NonNullable<ImageReport['split']>): string {
  const grouped = split.kind === 'stratified-group' && split.groupColumn;
  const groups = grouped && split.groupsTrain !== undefined ? ` (${formatNumber(split.groupsTrain)} / ${formatNumber(split.groupsTest)} ${split.groupColumn} groups)` : '';
  return `${grouped ? `Group-aware split by ${split.groupColumn}` : 'Stratified split (no groups)'}: ${formatNumber(split.train)} training / ${formatNumber(split.test)} test images${groups}.`;
}

function views(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  if (v === undefined || v === null) return '—';
  return String(v);
}

export function AdvancedMetrics({ metrics, report, labels }: { metrics: ImageMetrics; report: ImageReport | null; labels: string[] }) {
  const cv = metrics.cv;
  const cal = metrics.calibration;
  const matrix = metrics.confusion_matrix;
  const order = labels.length > 0 ? labels : (matrix?.labels ?? Object.keys(metrics.per_label ?? {}));
  const grouped = groupedMetricRows(metrics, order);
  const warnings = (report?.warnings ?? []).map((w) => ({ ...w, severity: w.severity ?? ('warning' as const) }));
  return (
    <Stack gap="lg" data-testid="images-advanced-metrics">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm">
        <Card label="Accuracy" metric="accuracy" value={formatMetric(metrics.accuracy)} hint="Share of test images whose class is right; flattered by frequent classes." />
        <Card
          label="Balanced accuracy"
          metric="balanced_accuracy"
          value={formatMetric(metrics.balanced_accuracy)}
          hint="Mean recall over the classes: every class counts the same, so a model that always says the frequent class scores 1/K."
          sub={order.length > 0 ? `chance ≈ ${(1 / order.length).toFixed(2)}` : undefined}
        />
        <Card label="Macro F1" metric="macro_f1" value={formatMetric(metrics.macro_f1)} hint="Mean over classes of the F1 score (harmonic mean of precision and recall)." />
        <Card label="Mean AUC" metric="mean_auc" value={formatMetric(metrics.mean_auc)} hint="Mean one-vs-rest ROC AUC: how well the probabilities rank each class (threshold-free)." />
        <Card
          label="Cross-validation"
          metric="cv"
          value={cv && num(cv.balanced_accuracy_mean) !== null ? `${formatMetric(cv.balanced_accuracy_mean)} ± ${formatMetric(cv.balanced_accuracy_std)}` : '—'}
          hint="Balanced accuracy over the cross-validation folds (mean ± standard deviation): how much the figure moves with the split."
          sub={cv ? `${cv.folds}-fold${num(cv.macro_f1_mean) !== null ? ` · macro F1 ${formatMetric(cv.macro_f1_mean)}` : ''}` : undefined}
        />
      </SimpleGrid>
      {warnings.length > 0 && (
        <Stack gap="xs" data-testid="images-model-warnings">
          <Title order={5}>Warnings</Title>
          <ProblemList problems={warnings} data-testid="images-model-warning-list" />
        </Stack>
      )}
      <Stack gap="xs">
        <Title order={5}>Per class</Title>
        <PerLabelMetrics metrics={{ per_label: metrics.per_label } as TextMetrics} labels={order} />
      </Stack>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Stack gap="xs" data-testid="images-confusion">
          <Title order={5}>Confusion matrix</Title>
          {matrix ? <ConfusionMatrix matrix={matrix.matrix} labels={matrix.labels} /> : <Text c="dimmed">No confusion matrix.</Text>}
        </Stack>
        <Stack gap="xs">
          <Title order={5}>Precision, recall, F1 and AUC by class</Title>
          <GroupedBars data={grouped} />
        </Stack>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        <Paper withBorder p="md" radius="md" data-testid="images-calibration">
          <Title order={6} mb={4}>
            Calibration
          </Title>
          {cal ? (
            <Text size="sm">
              Temperature <b className="sb-num">{cal.temperature.toFixed(2)}</b> · expected calibration error <b className="sb-num">{formatMetric(cal.ece_before)}</b> →{' '}
              <b className="sb-num">{formatMetric(cal.ece_after)}</b>. The probabilities shown are divided by this temperature (temperature scaling), so a score of 0.8 should be right about 80%
              of the time.
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              Not calibrated.
            </Text>
          )}
        </Paper>
        {report?.split && (
          <Paper withBorder p="md" radius="md" data-testid="images-split">
            <Title order={6} mb={4}>
              Evaluation split
            </Title>
            <Text size="sm">{describeSplit(report.split)}</Text>
            <Text size="xs" c="dimmed" mt={4}>
              Stratified by label and seeded. Grouping keeps every image of one lesion or patient on one side, so near-duplicates cannot inflate the score.
            </Text>
          </Paper>
        )}
        {report && (
          <Paper withBorder p="md" radius="md" data-testid="images-build-facts">
            <Title order={6} mb={4}>
              Build
            </Title>
            <Group gap="xs">
              {report.build && <Badge variant="light">{report.build} build</Badge>}
              {num(report.train_seconds) !== null && <Badge variant="light" color="gray">{report.train_seconds!.toFixed(1)} s</Badge>}
              {num(report.embed_images_per_second) !== null && <Badge variant="light" color="gray">{report.embed_images_per_second!.toFixed(0)} images/s embedded</Badge>}
              {report.chosen && <Badge variant="light" color="indigo">chosen: {report.chosen}</Badge>}
              {typeof report.skipped === 'number' && report.skipped > 0 && <Badge variant="light" color="yellow">{report.skipped} images skipped</Badge>}
            </Group>
          </Paper>
        )}
      </SimpleGrid>
      {report?.tried && report.tried.length > 0 && (
        <Stack gap="xs" data-testid="images-tried">
          <Title order={5}>What the build tried</Title>
          {report.selection && (
            <Text size="sm" c="dimmed">
              Chosen by {report.selection}.
            </Text>
          )}
          <TableCard minWidth={640}>
            <Table verticalSpacing={6} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Candidate</Table.Th>
                  <Table.Th ta="right">C</Table.Th>
                  <Table.Th>Views</Table.Th>
                  <Table.Th>Augmentation</Table.Th>
                  <Table.Th>Fitted on</Table.Th>
                  <Table.Th ta="right">CV balanced accuracy</Table.Th>
                  <Table.Th ta="right">CV macro F1</Table.Th>
                  <Table.Th ta="right">Seconds</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.tried.map((t, i) => {
                  const chosen = t.name === report.chosen;
                  return (
                    <Table.Tr key={`${t.name}-${i}`} data-testid="images-tried-row" data-chosen={chosen} fw={chosen ? 700 : undefined}>
                      <Table.Td>
                        {t.name} {chosen && <Badge size="xs">chosen</Badge>}
                      </Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        {t.C ?? '—'}
                      </Table.Td>
                      <Table.Td>{views(t.views)}</Table.Td>
                      <Table.Td>{views(t.augment)}</Table.Td>
                      <Table.Td>{t.train_on ?? '—'}</Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        {formatMetric(t.cv_balanced_accuracy)}
                      </Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        {formatMetric(t.cv_macro_f1)}
                      </Table.Td>
                      <Table.Td ta="right" className="sb-num">
                        {num(t.seconds) !== null ? t.seconds!.toFixed(1) : '—'}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </TableCard>
        </Stack>
      )}
    </Stack>
  );
}
