/**
 * The LLM calls of a summarization, grouped by stage (map, collapse round N, combine, refine…) and, for several
 * documents, by document: one collapsible group per stage with its call count, tokens and time; the calls inside.
 * A long document makes hundreds of calls; a flat list of them was 12,000 px tall.
 */
import { useState } from 'react';
import { Accordion, Badge, Button, Group, Stack, Text } from '@mantine/core';
import type { Intermediate } from './api.ts';
import { callLabel } from './form.ts';

export interface StageGroup {
  key: string;
  document: string;
  stage: string;
  round: number;
  calls: Intermediate[];
  seconds: number;
  promptTokens: number;
  completionTokens: number;
}

/** Groups calls in order of first appearance: (document, stage, round). */
export function groupCalls(calls: Intermediate[]): StageGroup[] {
  const groups = new Map<string, StageGroup>();
  for (const c of calls) {
    const key = `${c.document}\u0000${c.stage}\u0000${c.round}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, document: c.document, stage: c.stage, round: c.round, calls: [], seconds: 0, promptTokens: 0, completionTokens: 0 };
      groups.set(key, g);
    }
    g.calls.push(c);
    g.seconds += c.seconds;
    g.promptTokens += c.promptTokens;
    g.completionTokens += c.completionTokens;
  }
  return [...groups.values()];
}

/** Calls listed at first in an opened stage; the rest on request (a long document's map stage has hundreds). */
const FIRST_CALLS = 20;

const COLOR: Record<string, string> = { map: 'gray', collapse: 'blue', refine: 'grape' };

function stageName(g: StageGroup): string {
  return g.round ? `${g.stage} round ${g.round}` : g.stage;
}

function Calls({ calls, multi }: { calls: Intermediate[]; multi: boolean }) {
  const [all, setAll] = useState(false);
  const shown = all ? calls : calls.slice(0, FIRST_CALLS);
  return (
    <>
    <Accordion multiple variant="separated" data-testid="summary-intermediate">
      {shown.map((c, i) => (
        <Accordion.Item key={i} value={String(i)} data-testid="summary-call">
          <Accordion.Control>
            <Group gap="xs" wrap="nowrap">
              <Badge variant="light" color={COLOR[c.stage] ?? 'teal'}>
                {callLabel(c)}
              </Badge>
              {multi && <Text size="xs">{c.document}</Text>}
              <Text size="xs" c="dimmed">
                {c.promptTokens} → {c.completionTokens} tokens · {c.seconds.toFixed(2)} s{c.finishReason === 'length' ? ' · hit the output budget' : ''}
              </Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {c.output || '(empty output)'}
            </Text>
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
    {shown.length < calls.length && (
      <Button variant="subtle" size="xs" onClick={() => setAll(true)} data-testid="summary-stage-more">
        Show all {calls.length} calls
      </Button>
    )}
    </>
  );
}

/** One collapsible group per stage; a group of one call (combine, single) opens on its own. */
export function IntermediateGroups({ calls }: { calls: Intermediate[] }) {
  if (calls.length === 0) return null;
  const multi = new Set(calls.map((c) => c.document)).size > 1;
  const groups = groupCalls(calls);
  return (
    <Accordion multiple variant="contained" data-testid="summary-stages">
      {groups.map((g) => (
        <Accordion.Item key={g.key} value={g.key} data-testid="summary-stage" data-stage={g.stage} data-round={g.round} data-calls={g.calls.length}>
          <Accordion.Control>
            <Group gap="xs" wrap="nowrap">
              <Badge variant="filled" color={COLOR[g.stage] ?? 'teal'} data-testid="summary-stage-name">
                {stageName(g)}
              </Badge>
              {multi && <Text size="xs">{g.document}</Text>}
              <Text size="sm" data-testid="summary-stage-count">
                {g.calls.length} call{g.calls.length === 1 ? '' : 's'}
              </Text>
              <Text size="xs" c="dimmed" data-testid="summary-stage-time">
                {g.promptTokens.toLocaleString('en-US')} → {g.completionTokens.toLocaleString('en-US')} tokens · {g.seconds.toFixed(2)} s
              </Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <Stack gap="xs">
              <Calls calls={g.calls} multi={false} />
            </Stack>
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}
