import { useEffect, useState, type ReactNode } from 'react';
import { Accordion, Group, Input, NumberInput, Select, SimpleGrid, Text } from '@mantine/core';
import type { SectionProps } from './DataSection.tsx';
import { numValue, OPTION_DEFAULTS, type Num } from './form.ts';

function RangeInput({ label, description, value, onChange, max, error, disabled, testId, defaults }: {
  label: string;
  description: ReactNode;
  value: [Num, Num];
  onChange: (v: [Num, Num]) => void;
  max: number;
  error?: string;
  disabled: boolean;
  testId: string;
  defaults: readonly [number, number];
}) {
  return (
    <Input.Wrapper label={label} description={description} error={error}>
      <Group gap={6} wrap="nowrap" mt={4}>
        <NumberInput aria-label={`${label} from`} placeholder={String(defaults[0])} value={value[0]} onChange={(v) => onChange([numValue(v), value[1]])} min={1} max={max} allowDecimal={false} disabled={disabled} data-testid={`${testId}-min`} style={{ flex: 1 }} />
        <Text c="dimmed" size="sm">
          to
        </Text>
        <NumberInput aria-label={`${label} to`} placeholder={String(defaults[1])} value={value[1]} onChange={(v) => onChange([value[0], numValue(v)])} min={1} max={max} allowDecimal={false} disabled={disabled} data-testid={`${testId}-max`} style={{ flex: 1 }} />
      </Group>
    </Input.Wrapper>
  );
}

/** Feature and solver options, collapsed: empty fields use the server's defaults (shown as placeholders). */
export function AdvancedOptions({ values, set, errors, disabled }: SectionProps) {
  const changed = [values.wordNgram[0], values.wordNgram[1], values.charNgram[0], values.charNgram[1], values.minDf, values.maxWordFeatures, values.maxCharFeatures, values.C, values.maxEpochs].filter((v) => v !== '').length + (values.classWeight !== 'none' ? 1 : 0);
  const invalid = ['wordNgram', 'charNgram', 'minDf', 'maxWordFeatures', 'maxCharFeatures', 'C', 'maxEpochs'].some((k) => errors[k as keyof typeof errors]);
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (invalid) setOpen('advanced');
  }, [invalid]);
  return (
    <Accordion variant="contained" value={open} onChange={setOpen} data-testid="clf-advanced">
      <Accordion.Item value="advanced">
        <Accordion.Control>
          <Text fw={500} size="sm">
            Advanced options{' '}
            <Text span c="dimmed" size="sm">
              — {changed > 0 ? `${changed} changed` : 'TF-IDF word 1–2 + character 2–5 n-grams, logistic regression (defaults)'}
            </Text>
          </Text>
        </Accordion.Control>
        <Accordion.Panel>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
            <RangeInput label="Word n-grams" description="Word sequence lengths used as features" value={values.wordNgram} onChange={(v) => set({ wordNgram: v })} max={6} error={errors.wordNgram} disabled={disabled} testId="clf-word-ngram" defaults={OPTION_DEFAULTS.wordNgram} />
            <RangeInput label="Character n-grams" description="Within-word character sequence lengths" value={values.charNgram} onChange={(v) => set({ charNgram: v })} max={10} error={errors.charNgram} disabled={disabled} testId="clf-char-ngram" defaults={OPTION_DEFAULTS.charNgram} />
            <NumberInput label="Minimum document frequency" description="Drop terms seen in fewer documents" placeholder={String(OPTION_DEFAULTS.minDf)} value={values.minDf} onChange={(v) => set({ minDf: numValue(v) })} min={1} allowDecimal={false} error={errors.minDf} disabled={disabled} data-testid="clf-min-df" />
            <NumberInput label="Training passes (epochs)" description="At most; stops early when converged" placeholder={String(OPTION_DEFAULTS.maxEpochs)} value={values.maxEpochs} onChange={(v) => set({ maxEpochs: numValue(v) })} min={1} max={1000} allowDecimal={false} error={errors.maxEpochs} disabled={disabled} data-testid="clf-max-epochs" />
            <NumberInput label="Word vocabulary size" description="Most frequent word n-grams kept" placeholder={OPTION_DEFAULTS.maxWordFeatures.toLocaleString('en-US')} value={values.maxWordFeatures} onChange={(v) => set({ maxWordFeatures: numValue(v) })} min={1} allowDecimal={false} thousandSeparator="," error={errors.maxWordFeatures} disabled={disabled} data-testid="clf-max-word" />
            <NumberInput label="Character vocabulary size" description="Most frequent character n-grams kept" placeholder={OPTION_DEFAULTS.maxCharFeatures.toLocaleString('en-US')} value={values.maxCharFeatures} onChange={(v) => set({ maxCharFeatures: numValue(v) })} min={1} allowDecimal={false} thousandSeparator="," error={errors.maxCharFeatures} disabled={disabled} data-testid="clf-max-char" />
            <NumberInput label="Regularisation C" description="Higher fits the training data more closely" placeholder={String(OPTION_DEFAULTS.C)} value={values.C} onChange={(v) => set({ C: numValue(v) })} min={0} step={0.5} decimalScale={4} error={errors.C} disabled={disabled} data-testid="clf-c" />
            <Select
              label="Class weight"
              description="Balanced gives rare labels more weight"
              data={[
                { value: 'none', label: 'None' },
                { value: 'balanced', label: 'Balanced' },
              ]}
              value={values.classWeight}
              onChange={(v) => set({ classWeight: v === 'balanced' ? 'balanced' : 'none' })}
              allowDeselect={false}
              disabled={disabled}
              data-testid="clf-class-weight"
            />
          </SimpleGrid>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
