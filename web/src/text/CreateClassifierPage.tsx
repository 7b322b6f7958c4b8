import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Button, Grid, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';
import type { Job } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useDataset, useDatasets, useDatasetVersion } from '../datasets/api.ts';
import { trainClassifier, useTrainingCheck } from '../models/api.ts';
import { AdvancedOptions } from './AdvancedOptions.tsx';
import { DataSection } from './DataSection.tsx';
import { DatasetInfo } from './DatasetInfo.tsx';
import { datasetHints, initialValues, suggestName, toCheckRequest, toRequest, validate, type ClassifierFormValues, type FormErrors } from './form.ts';
import { TrainingCheckPanel, trainBlockReason } from './TrainingCheckPanel.tsx';
import { TestSetSection } from './TestSetSection.tsx';
import { TrainProgress } from './TrainProgress.tsx';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="sm">
      <Title order={5}>{title}</Title>
      {children}
    </Stack>
  );
}

type Phase = { kind: 'idle' } | { kind: 'starting' } | { kind: 'training'; job: Job; name: string; done?: boolean } | { kind: 'error'; error: unknown };

/** Create a text classifier: data, test set, options; then follows the training job to the model page. */
export function CreateClassifierPage() {
  const [params] = useSearchParams();
  const [values, setValues] = useState<ClassifierFormValues>(() => {
    const v = initialValues(params.get('dataset') ?? '', Number(params.get('version')) || null);
    return { ...v, name: suggestName(v.dataset) };
  });
  // Validated on submit, then live while the user fixes the fields.
  const [submitted, setSubmitted] = useState(false);
  const errors: FormErrors = submitted ? validate(values) : {};
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const touched = useRef({ name: false, mode: false, format: false });
  const set = (patch: Partial<ClassifierFormValues>) => setValues((v) => ({ ...v, ...patch }));

  const { data: datasets, error: datasetsError } = useDatasets();
  const { data: dataset } = useDataset(values.dataset);
  const versionNo = values.datasetVersion ?? dataset?.latestVersion ?? 0;
  const { data: version } = useDatasetVersion(values.dataset, versionNo, Boolean(dataset));
  const hints = version ? datasetHints(version.schema, version.stats, values.delimiter || '|') : null;
  // The training job's data rules, applied before Train is pressed (dry run on the server).
  const checkable = Boolean(values.dataset && version?.status === 'ready' && (values.testSource === 'split' || values.testDataset));
  const check = useTrainingCheck(checkable ? toCheckRequest({ ...values, datasetVersion: values.datasetVersion ?? version!.version }) : null);
  const blocked = checkable ? trainBlockReason(check.data, check.error) : null;

  // Suggest format and mode from the data until the user picks them.
  useEffect(() => {
    if (!hints) return;
    const patch: Partial<ClassifierFormValues> = {};
    if (!touched.current.format) patch.format = hints.format;
    if (!touched.current.mode) patch.mode = hints.mode;
    if (hints.format === 'wide-csv' && !values.textColumn) patch.textColumn = hints.textColumn;
    set(patch);
  }, [version?.id]);

  const busy = phase.kind === 'starting' || (phase.kind === 'training' && !phase.done);
  const onDatasetChange = (name: string) => {
    set({ dataset: name, datasetVersion: null, textColumn: null, labelColumns: [], ...(touched.current.name ? {} : { name: suggestName(name) }) });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setSubmitted(true);
    if (Object.keys(validate(values)).length > 0) return;
    setPhase({ kind: 'starting' });
    try {
      const { job } = await trainClassifier(toRequest(values));
      setPhase({ kind: 'training', job, name: values.name.trim() });
    } catch (error) {
      setPhase({ kind: 'error', error });
    }
  };

  const sectionProps = { values, set, errors, disabled: busy };
  return (
    <Stack gap="md" data-testid="create-classifier">
      <PageHeader crumb={{ to: '/models', label: 'Models', current: 'New text classifier' }} title="Train a text classifier" description="Custom classification like Amazon Comprehend: TF-IDF features and a linear model, trained on your own machines in seconds to minutes." />
      {datasetsError && <ErrorAlert error={datasetsError} title="Cannot load datasets" />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Paper withBorder p="lg" radius="md">
            <form onSubmit={submit} noValidate>
              <Stack gap="xl">
                <TextInput
                  label="Model name"
                  description="Letters, digits, “.”, “_” or “-”. Training again under the same name adds a version."
                  value={values.name}
                  onChange={(e) => {
                    touched.current.name = true;
                    set({ name: e.currentTarget.value });
                  }}
                  error={errors.name}
                  disabled={busy}
                  data-testid="clf-name"
                />
                <Section title="Training data">
                  <DataSection
                    {...sectionProps}
                    datasets={datasets?.items}
                    versions={dataset?.versions}
                    latestVersion={dataset?.latestVersion}
                    version={version}
                    onDatasetChange={onDatasetChange}
                    onTouched={(f) => (touched.current[f] = true)}
                  />
                </Section>
                <Section title="Test data">
                  <TestSetSection {...sectionProps} datasets={datasets?.items} />
                </Section>
                <AdvancedOptions {...sectionProps} />
                {checkable && <TrainingCheckPanel check={check.data} error={check.error} pending={check.isPending} testId="clf-check" />}
                <Group justify="space-between" align="center" wrap="nowrap">
                  <Text size="sm" c={blocked ? 'red' : 'dimmed'} data-testid="clf-submit-reason">
                    {blocked ?? (Object.keys(errors).length > 0 ? 'Fix the fields marked in red.' : ' ')}
                  </Text>
                  <Button type="submit" size="md" loading={busy} disabled={busy || Boolean(blocked)} data-testid="clf-submit" style={{ flexShrink: 0 }}>
                    Train classifier
                  </Button>
                </Group>
                {phase.kind === 'training' && (
                  <TrainProgress key={phase.job.id} initial={phase.job} name={phase.name} onDone={() => setPhase((p) => (p.kind === 'training' ? { ...p, done: true } : p))} />
                )}
                {phase.kind === 'error' && <ErrorAlert error={phase.error} title="Cannot start the training" />}
              </Stack>
            </form>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <DatasetInfo dataset={values.dataset} version={version} hints={hints} mode={values.mode} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
