import { Group, NumberInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import type { Dataset } from '../api/types.ts';
import { useDataset } from '../datasets/api.ts';
import { datasetOptions, versionOptions, type SectionProps } from './DataSection.tsx';
import { numValue } from './form.ts';

/** Test set: an automatic (stratified) split of the training data, or another dataset. */
export function TestSetSection({ values, set, errors, disabled, datasets }: SectionProps & { datasets: Dataset[] | undefined }) {
  const { data: testDataset } = useDataset(values.testDataset);
  const split = values.testSource === 'split';
  const pct = typeof values.testFraction === 'number' ? Math.round(values.testFraction * 100) : null;
  return (
    <Stack gap="sm">
      <SegmentedControl
        value={values.testSource}
        onChange={(v) => set({ testSource: v as 'split' | 'dataset' })}
        data={[
          { value: 'split', label: 'Split the training data' },
          { value: 'dataset', label: 'Use another dataset' },
        ]}
        disabled={disabled}
        data-testid="clf-test-source"
      />
      {split ? (
        <>
          <Group grow align="flex-start">
            <NumberInput
              label="Test fraction"
              description="Held out for evaluation, stratified by label"
              value={values.testFraction}
              onChange={(v) => set({ testFraction: numValue(v) })}
              min={0.05}
              max={0.5}
              step={0.05}
              decimalScale={3}
              error={errors.testFraction}
              disabled={disabled}
              data-testid="clf-test-fraction"
            />
            <NumberInput
              label="Seed"
              description="Same seed, same split"
              value={values.seed}
              onChange={(v) => set({ seed: numValue(v) })}
              allowDecimal={false}
              error={errors.seed}
              disabled={disabled}
              data-testid="clf-seed"
            />
          </Group>
          {pct !== null && pct > 0 && pct < 100 && (
            <Text size="xs" c="dimmed">
              {100 - pct}% of the documents train the model, {pct}% measure it.
            </Text>
          )}
        </>
      ) : (
        <Group grow align="flex-start">
          <Select
            label="Test dataset"
            placeholder="Choose a dataset"
            description="Same format and labels as the training data"
            data={datasetOptions(datasets).filter((d) => d.value !== values.dataset)}
            value={values.testDataset || null}
            onChange={(v) => set({ testDataset: v ?? '', testDatasetVersion: null })}
            searchable
            error={errors.testDataset}
            disabled={disabled}
            data-testid="clf-test-dataset"
          />
          <Select
            label="Version"
            description=" "
            data={versionOptions(testDataset?.versions, testDataset?.latestVersion)}
            value={values.testDatasetVersion ? String(values.testDatasetVersion) : testDataset?.latestVersion ? String(testDataset.latestVersion) : null}
            onChange={(v) => set({ testDatasetVersion: v ? Number(v) : null })}
            allowDeselect={false}
            disabled={disabled || !values.testDataset}
          />
        </Group>
      )}
    </Stack>
  );
}
