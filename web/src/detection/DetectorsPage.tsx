import type { ModelVersion } from '../api/types.ts';
import { createdColumn, DataTable, NameVersion, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatMetric } from '../models/metrics.ts';
import { detectorPath, useDetectors } from './api.ts';

const metric = (m: ModelVersion, key: string): unknown => (m.metrics as Record<string, unknown> | null | undefined)?.[key];

const COLUMNS: Array<Column<ModelVersion>> = [
  { header: 'Detector', cell: (m) => <NameVersion to={detectorPath(m.name, m.version)} name={m.name} version={m.version} /> },
  { header: 'Status', cell: (m) => <StatusBadge status={m.status} /> },
  { header: 'mAP50-95', numeric: true, cell: (m) => formatMetric(metric(m, 'map50_95')) },
  { header: 'mAP50', numeric: true, cell: (m) => formatMetric(metric(m, 'map50')) },
  createdColumn(),
];

/** /detection: detectors in the registry (train with `sagebrush detection train FOLDER` or POST /detection/models). */
export function DetectorsPage() {
  const list = useDetectors();
  return (
    <>
      <PageHeader title="Object detection" description="Detectors trained on labeled boxes (held-out COCO mAP), prediction with boxes drawn." />
      <DataTable
        query={list}
        errorTitle="Cannot load detectors"
        empty={<EmptyState title="No detectors yet">Train one: sagebrush detection train ../shared/data/metal-tags</EmptyState>}
        columns={COLUMNS}
        rowKey={(m) => m.id}
        data-testid="detectors-table"
      />
    </>
  );
}
