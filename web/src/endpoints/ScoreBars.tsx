import { Badge, Box, Group, Stack, Text } from '@mantine/core';
import { ruleSentence, thresholdFor, type LiveRule } from '../models/decision.ts';
import type { Scores } from '../models/metrics.ts';

/**
 * Classify scores as horizontal bars, highest first; predicted labels in teal. With the model's live decision rule,
 * each bar carries a mark at the score it must reach (its label's threshold, or the abstain level on the top class)
 * and a line says how the answer is chosen, so a 0.073 predicted beside a 0.068 not predicted reads as intended.
 */
export function ScoreBars({ scores, predicted, rule }: Scores & { rule?: LiveRule | null }) {
  if (scores.length === 0) return <Text c="dimmed">No scores.</Text>;
  const picked = new Set(predicted);
  const width = Math.min(220, Math.max(72, ...scores.map((s) => s.Name.length * 8.5 + 12)));
  return (
    <Stack gap={6} data-testid="score-bars">
      {scores.map((s, i) => {
        const on = picked.has(s.Name);
        const t = thresholdFor(rule, s.Name, i === 0);
        return (
          <Group key={s.Name} gap="sm" wrap="nowrap" data-testid="score-row" data-label={s.Name} data-predicted={on} data-threshold={t ?? undefined}>
            <Text size="sm" fw={on ? 700 : 400} w={width} ta="right" truncate style={{ flexShrink: 0 }} title={s.Name}>
              {s.Name}
            </Text>
            <Box style={{ position: 'relative', flex: 1, minWidth: 60, height: 18, borderRadius: 4, background: 'var(--mantine-color-default-hover)' }}>
              <Box
                style={{
                  width: `${Math.max(0.5, Math.min(100, s.Score * 100))}%`,
                  height: '100%',
                  borderRadius: 4,
                  background: on ? 'var(--mantine-color-teal-6)' : 'var(--mantine-color-gray-5)',
                  transition: 'width 200ms ease',
                }}
              />
              {t !== null && (
                <Box
                  title={`threshold ${t.toFixed(3)}`}
                  data-testid="score-threshold"
                  data-threshold={t}
                  style={{ position: 'absolute', top: -3, bottom: -3, left: `calc(${Math.min(100, Math.max(0, t * 100))}% - 1px)`, width: 2, background: 'var(--mantine-color-dark-6)' }}
                />
              )}
            </Box>
            <Text size="sm" w={52} ta="right" className="sb-num" style={{ flexShrink: 0 }}>
              {s.Score.toFixed(3)}
            </Text>
            <Box w={100} style={{ flexShrink: 0 }}>
              {on ? (
                <Badge size="sm" variant="light" color="teal">
                  predicted
                </Badge>
              ) : (
                t !== null && (
                  <Text size="xs" c="dimmed" className="sb-num" data-testid="score-below">
                    below {t.toFixed(3)}
                  </Text>
                )
              )}
            </Box>
          </Group>
        );
      })}
      {rule && (
        <Text size="xs" c="dimmed" data-testid="score-rule" data-rule={rule.source}>
          {ruleSentence(rule)}
        </Text>
      )}
    </Stack>
  );
}
