import { Badge, Box, Group, Stack, Text } from '@mantine/core';
import type { Scores } from '../models/metrics.ts';

/** Classify scores as horizontal bars, highest first; predicted labels in teal. */
export function ScoreBars({ scores, predicted }: Scores) {
  if (scores.length === 0) return <Text c="dimmed">No scores.</Text>;
  const picked = new Set(predicted);
  const width = Math.min(220, Math.max(72, ...scores.map((s) => s.Name.length * 8.5 + 12)));
  return (
    <Stack gap={6} data-testid="score-bars">
      {scores.map((s) => {
        const on = picked.has(s.Name);
        return (
          <Group key={s.Name} gap="sm" wrap="nowrap" data-testid="score-row" data-label={s.Name} data-predicted={on}>
            <Text size="sm" fw={on ? 700 : 400} w={width} ta="right" truncate style={{ flexShrink: 0 }} title={s.Name}>
              {s.Name}
            </Text>
            <Box style={{ flex: 1, minWidth: 60, height: 18, borderRadius: 4, background: 'var(--mantine-color-default-hover)', overflow: 'hidden' }}>
              <Box
                style={{
                  width: `${Math.max(0.5, Math.min(100, s.Score * 100))}%`,
                  height: '100%',
                  borderRadius: 4,
                  background: on ? 'var(--mantine-color-teal-6)' : 'var(--mantine-color-gray-5)',
                  transition: 'width 200ms ease',
                }}
              />
            </Box>
            <Text size="sm" w={52} ta="right" className="sb-num" style={{ flexShrink: 0 }}>
              {s.Score.toFixed(3)}
            </Text>
            <Box w={92} style={{ flexShrink: 0 }}>
              {on && (
                <Badge size="sm" variant="light" color="teal">
                  predicted
                </Badge>
              )}
            </Box>
          </Group>
        );
      })}
    </Stack>
  );
}
