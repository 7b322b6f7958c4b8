/**
 * The model card of a version: description, intended use and limitations (editable), its metrics and training data
 * lineage (from the version), and its aliases and tags (editable).
 */
import { useState } from 'react';
import { Anchor, Badge, Button, CloseButton, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { GovernedModel } from './ApprovalPanel.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useDataset } from '../datasets/api.ts';
import { datasetPath } from '../datasets/ImportProgress.tsx';
import { useNamedAction } from '../components/useAction.ts';
import { useAliases, useModelCard, useRegistryWrites, type ModelCardView } from './registryApi.ts';

const FIELDS = [
  ['description', 'Description'],
  ['intendedUse', 'Intended use'],
  ['limitations', 'Limitations'],
] as const;

function CardText({ card, onSave, busy }: { card: ModelCardView; onSave: (c: { description: string; intendedUse: string; limitations: string }) => Promise<unknown>; busy: boolean }) {
  const [draft, setDraft] = useState<{ description: string; intendedUse: string; limitations: string } | null>(null);
  if (draft) {
    return (
      <Stack gap="xs">
        {FIELDS.map(([key, label]) => (
          <Textarea key={key} label={label} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })} autosize minRows={2} data-testid={`card-edit-${key}`} />
        ))}
        <Group gap="sm">
          <Button loading={busy} onClick={() => void onSave(draft).then(() => setDraft(null))} data-testid="card-save">
            Save card
          </Button>
          <Button variant="default" onClick={() => setDraft(null)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack gap="xs">
      {FIELDS.map(([key, label]) => (
        <div key={key}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {label}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} c={card[key] ? undefined : 'dimmed'} data-testid={`card-${key}`}>
            {card[key] || 'Not written yet.'}
          </Text>
        </div>
      ))}
      <Group>
        <Button variant="default" size="xs" onClick={() => setDraft({ description: card.description, intendedUse: card.intendedUse, limitations: card.limitations })} data-testid="card-edit">
          Edit card
        </Button>
        {card.updatedBy && (
          <Text size="xs" c="dimmed">
            last written by {card.updatedBy}
          </Text>
        )}
      </Group>
    </Stack>
  );
}

/** The training dataset by its name and version (never an id: it says nothing to a reader), linked to its page. */
function LineageDataset({ ds, versionId }: { ds: ModelCardView['lineage']['dataset']; versionId: string | null }) {
  const ref = ds?.name ?? ds?.ref ?? ds?.id ?? '';
  const { data: dataset, isPending } = useDataset(ref);
  if (!ds || !ref) return <>not recorded</>;
  if (!dataset) return <>{ds.name ?? (isPending ? '…' : 'a dataset no longer listed')}</>;
  const version = ds.version ?? dataset.versions.find((v) => v.id === versionId)?.version;
  return (
    <Anchor component={Link} to={datasetPath(dataset.name, version)} size="sm" data-testid="card-dataset">
      {dataset.name}
      {version !== undefined ? ` version ${version}` : ''}
    </Anchor>
  );
}

/** Any kind's version (text, image, LLM): only its name, version and status are read. */
export function ModelCardPanel({ model }: { model: GovernedModel }) {
  const { data: card, error } = useModelCard(model.name, model.version);
  const { data: aliases } = useAliases(model.name);
  const writes = useRegistryWrites(model.name, model.version);
  const { busy, error: actionError, run } = useNamedAction();
  const [alias, setAlias] = useState('');
  const [tag, setTag] = useState({ key: '', value: '' });
  if (error) return <ErrorAlert error={error} title="Cannot load the model card" />;
  if (!card) return null;
  const ds = card.lineage.dataset;

  return (
    <Stack gap="md" data-testid="model-card">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <CardText card={card} busy={busy === 'card'} onSave={(c) => run('card', () => writes.putCard(c))} />
        <Stack gap="sm">
          <Paper withBorder p="sm" radius="md" data-testid="card-lineage">
            <Title order={6}>Training data lineage</Title>
            <Text size="sm">
              Dataset: <LineageDataset ds={ds} versionId={card.lineage.datasetVersionId} />
            </Text>
            {card.lineage.trainingJobId && (
              <Anchor component={Link} to={`/jobs/${card.lineage.trainingJobId}`} size="sm">
                Training job
              </Anchor>
            )}
          </Paper>
          {Object.keys(card.metrics).length > 0 && (
            <Table data-testid="card-metrics" withTableBorder>
              <Table.Tbody>
                {Object.entries(card.metrics).map(([k, v]) => (
                  <Table.Tr key={k}>
                    <Table.Td>{k}</Table.Td>
                    <Table.Td>{Number.isInteger(v) ? v : v.toFixed(4)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </SimpleGrid>
      <Group gap="xs" data-testid="card-aliases">
        <Text size="sm" fw={600}>
          Aliases
        </Text>
        {(aliases?.items ?? []).map((a) => (
          <Badge key={a.alias} variant={a.version === model.version ? 'filled' : 'outline'} rightSection={a.version === model.version ? <CloseButton size="xs" aria-label={`Remove alias ${a.alias}`} onClick={() => void run('alias', () => writes.deleteAlias(a.alias))} /> : undefined}>
            {a.alias} → v{a.version}
          </Badge>
        ))}
        <TextInput size="xs" placeholder="champion" value={alias} onChange={(e) => setAlias(e.currentTarget.value)} aria-label="Alias" data-testid="alias-input" />
        <Button size="xs" variant="default" disabled={!alias.trim()} loading={busy === 'alias'} onClick={() => void run('alias', () => writes.setAlias(alias.trim()).then(() => setAlias('')))} data-testid="alias-set">
          Point at this version
        </Button>
      </Group>
      <Group gap="xs" data-testid="card-tags">
        <Text size="sm" fw={600}>
          Tags
        </Text>
        {Object.entries(card.tags).map(([k, v]) => (
          <Badge key={k} variant="light" color="gray" rightSection={<CloseButton size="xs" aria-label={`Remove tag ${k}`} onClick={() => void run('tag', () => writes.deleteTag(k))} />}>
            {k}={v}
          </Badge>
        ))}
        <TextInput size="xs" placeholder="key" value={tag.key} onChange={(e) => setTag({ ...tag, key: e.currentTarget.value })} aria-label="Tag key" data-testid="tag-key" />
        <TextInput size="xs" placeholder="value" value={tag.value} onChange={(e) => setTag({ ...tag, value: e.currentTarget.value })} aria-label="Tag value" data-testid="tag-value" />
        <Button size="xs" variant="default" disabled={!tag.key.trim()} loading={busy === 'tag'} onClick={() => void run('tag', () => writes.putTag(tag.key.trim(), tag.value).then(() => setTag({ key: '', value: '' })))} data-testid="tag-add">
          Add tag
        </Button>
      </Group>
      <ErrorAlert error={actionError} title="The change was not made" />
    </Stack>
  );
}
