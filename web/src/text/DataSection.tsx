import { Group, MultiSelect, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import type { Dataset, DatasetVersion, TextFormat, TextMode } from '../api/types.ts';
import { schemaColumns, type ClassifierFormValues, type FormErrors } from './form.ts';

export interface SectionProps {
  values: ClassifierFormValues;
  set: (patch: Partial<ClassifierFormValues>) => void;
  errors: FormErrors;
  disabled: boolean;
}

const FORMATS: Array<{ value: TextFormat; label: string }> = [
  { value: 'auto', label: 'Auto-detect' },
  { value: 'comprehend-csv', label: 'Comprehend CSV (label,text)' },
  { value: 'wide-csv', label: 'Wide CSV (text + 0/1 label columns)' },
  { value: 'jsonl', label: 'JSON Lines ({"text", "labels"})' },
  { value: 'augmented-manifest', label: 'Augmented manifest (Ground Truth)' },
];

/** Ready versions of a dataset, newest first, as Select options. */
export function versionOptions(versions: DatasetVersion[] | undefined, latest: number | undefined) {
  return [...(versions ?? [])]
    .filter((v) => v.status === 'ready')
    .sort((a, b) => b.version - a.version)
    .map((v) => ({ value: String(v.version), label: `v${v.version}${v.version === latest ? ' (latest)' : ''} · ${v.rowCount.toLocaleString('en-US')} rows` }));
}

export function datasetOptions(datasets: Dataset[] | undefined) {
  return (datasets ?? []).filter((d) => d.latestVersion > 0).map((d) => ({ value: d.name, label: d.name }));
}

interface Props extends SectionProps {
  datasets: Dataset[] | undefined;
  versions: DatasetVersion[] | undefined;
  latestVersion: number | undefined;
  /** The selected version, for its column names. */
  version: DatasetVersion | undefined;
  onDatasetChange: (name: string) => void;
  onTouched: (field: 'mode' | 'format') => void;
}

/** Training data: dataset + version, mode, format, delimiter and (wide CSV) the columns. */
export function DataSection({ values, set, errors, disabled, datasets, versions, latestVersion, version, onDatasetChange, onTouched }: Props) {
  const columns = schemaColumns(version?.schema).map((c) => c.name);
  const wide = values.format === 'wide-csv';
  return (
    <Stack gap="sm">
      <Group grow align="flex-start">
        <Select
          label="Training dataset"
          placeholder="Choose a dataset"
          data={datasetOptions(datasets)}
          value={values.dataset || null}
          onChange={(v) => onDatasetChange(v ?? '')}
          searchable
          nothingFoundMessage="No ready dataset"
          error={errors.dataset}
          disabled={disabled}
          data-testid="clf-dataset"
        />
        <Select
          label="Version"
          data={versionOptions(versions, latestVersion)}
          value={values.datasetVersion ? String(values.datasetVersion) : latestVersion ? String(latestVersion) : null}
          onChange={(v) => set({ datasetVersion: v ? Number(v) : null })}
          allowDeselect={false}
          disabled={disabled || !values.dataset}
          data-testid="clf-dataset-version"
        />
      </Group>
      <div>
        <Text size="sm" fw={500} mb={4}>
          Mode
        </Text>
        <SegmentedControl
          fullWidth
          value={values.mode}
          onChange={(v) => {
            onTouched('mode');
            set({ mode: v as TextMode });
          }}
          data={[
            { value: 'multi-class', label: 'Multi-class — one label per document' },
            { value: 'multi-label', label: 'Multi-label — any number of labels' },
          ]}
          disabled={disabled}
          data-testid="clf-mode"
        />
      </div>
      <Group grow align="flex-start">
        <Select
          label="Data format"
          data={FORMATS}
          value={values.format}
          onChange={(v) => {
            onTouched('format');
            set({ format: (v ?? 'auto') as TextFormat });
          }}
          allowDeselect={false}
          disabled={disabled}
          data-testid="clf-format"
        />
        {values.mode === 'multi-label' && !wide && (
          <TextInput
            label="Label delimiter"
            description={'Separates labels in one cell, e.g. "toxic|insult"'}
            value={values.delimiter}
            onChange={(e) => set({ delimiter: e.currentTarget.value })}
            maxLength={1}
            error={errors.delimiter}
            disabled={disabled}
            data-testid="clf-delimiter"
          />
        )}
      </Group>
      {wide && (
        <Group grow align="flex-start">
          <Select
            label="Text column"
            placeholder="comment_text, text, or the first text column"
            data={columns}
            value={values.textColumn}
            onChange={(v) => set({ textColumn: v })}
            clearable
            disabled={disabled}
            data-testid="clf-text-column"
          />
          <MultiSelect
            label="Label columns"
            placeholder={values.labelColumns.length ? undefined : 'Every column of 0/1 values'}
            data={columns.filter((c) => c !== values.textColumn)}
            value={values.labelColumns}
            onChange={(v) => set({ labelColumns: v })}
            clearable
            searchable
            disabled={disabled}
            data-testid="clf-label-columns"
          />
        </Group>
      )}
      {(wide || values.format === 'jsonl') && (
        <TextInput
          label="Label for rows without labels"
          placeholder="clean"
          description="Rows with no positive label get this label; the default is “clean”."
          value={values.noneLabel}
          onChange={(e) => set({ noneLabel: e.currentTarget.value })}
          disabled={disabled}
          data-testid="clf-none-label"
        />
      )}
    </Stack>
  );
}
