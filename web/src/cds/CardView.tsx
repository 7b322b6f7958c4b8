import { useState } from 'react';
import { Anchor, Badge, Button, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Markdown } from './Markdown.tsx';
import { sendFeedback, type CdsCard, type CdsSuggestion, type Indicator } from './api.ts';

const COLOR: Record<Indicator, string> = { info: 'blue', warning: 'orange', critical: 'red' };

/** One card as an EHR shows it: indicator colour, summary, source, detail, suggestions, links; accept / override → feedback. */
export function CardView({ card, serviceId, onFeedback, onAccept }: { card: CdsCard; serviceId: string; onFeedback: () => void; onAccept?: (s: CdsSuggestion) => void }) {
  const [reason, setReason] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const color = COLOR[card.indicator] ?? 'gray';

  async function feedback(item: Record<string, unknown>, label: string) {
    if (!card.uuid) return;
    setError(null);
    try {
      await sendFeedback(serviceId, { card: card.uuid, outcomeTimestamp: new Date().toISOString(), ...item });
      setSent(label);
      onFeedback();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Paper withBorder p="md" data-testid="cds-card" data-indicator={card.indicator} style={{ borderLeft: `6px solid var(--mantine-color-${color}-6)` }}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text fw={600} data-testid="cds-card-summary">
            {card.summary}
          </Text>
          <Badge color={color} variant="light" style={{ flexShrink: 0 }}>
            {card.indicator}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          Source: {card.source.url ? <Anchor href={card.source.url} target="_blank" rel="noreferrer" size="xs">{card.source.label}</Anchor> : card.source.label}
          {card.source.topic?.display ? ` · ${card.source.topic.display}` : ''}
        </Text>
        {card.detail && (
          <Markdown data-testid="cds-card-detail">{card.detail}</Markdown>
        )}
        {card.links && card.links.length > 0 && (
          <Group gap="sm">
            {card.links.map((l) => (
              <Anchor key={l.url} href={l.url} target="_blank" rel="noreferrer" size="sm">
                {l.label}
                {l.type === 'smart' ? ' (SMART app)' : ''}
              </Anchor>
            ))}
          </Group>
        )}
        {sent ? (
          <Text size="sm" c="teal" data-testid="cds-feedback-sent">
            Feedback sent: {sent}
          </Text>
        ) : (
          card.uuid && (
            <Group gap="xs" align="flex-end">
              {(card.suggestions ?? []).map((s) => (
                <Button key={s.uuid ?? s.label} size="xs" variant={s.isRecommended ? 'filled' : 'light'} data-testid="cds-suggestion" onClick={() => {
                    onAccept?.(s);
                    void feedback({ outcome: 'accepted', acceptedSuggestions: s.uuid ? [{ id: s.uuid }] : [] }, `accepted “${s.label}”`);
                  }}>
                  {s.label}
                </Button>
              ))}
              {card.overrideReasons && card.overrideReasons.length > 0 && (
                <Select
                  size="xs"
                  placeholder="Override reason"
                  data={card.overrideReasons.map((r) => ({ value: r.code ?? '', label: r.display ?? r.code ?? '' }))}
                  value={reason}
                  onChange={setReason}
                  data-testid="cds-override-reason"
                  w={280}
                />
              )}
              <Button
                size="xs"
                variant="default"
                data-testid="cds-override"
                onClick={() => {
                  const r = card.overrideReasons?.find((x) => x.code === reason);
                  void feedback({ outcome: 'overridden', ...(r ? { overrideReason: { reason: r } } : { overrideReason: { userComment: 'Dismissed in the sandbox' } }) }, `overridden${r ? ` (${r.display})` : ''}`);
                }}
              >
                Dismiss
              </Button>
            </Group>
          )
        )}
        <ErrorAlert error={error} title="Feedback failed" />
      </Stack>
    </Paper>
  );
}
