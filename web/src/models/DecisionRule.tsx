import { Badge, Tooltip, type MantineSize } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { ModelVersion } from '../api/types.ts';
import { qualityKeys, type Decision } from '../quality/api.ts';
import { ruleFromDecision, ruleFromModel, ruleName, ruleSentence, type LiveRule } from './decision.ts';

/**
 * The live rule of a ready text classifier, kept fresh with the tuning panel (same query key as useDecision:
 * tuning or editing refreshes it); the version's stored meta until the first answer.
 */
export function useLiveRule(model: ModelVersion | null | undefined): LiveRule | null {
  const enabled = Boolean(model && model.kind === 'text-classifier' && model.status === 'ready');
  const { data } = useQuery({
    queryKey: qualityKeys.decision(model?.name ?? '', model?.version ?? 0),
    queryFn: ({ signal }) => api<Decision>(`/text/models/${encodeURIComponent(model!.name)}/versions/${model!.version}/decision`, { signal }),
    enabled,
  });
  if (!model || !enabled) return null;
  return data ? ruleFromDecision(data) : ruleFromModel(model);
}

const COLORS = { default: 'gray', tuned: 'teal', manual: 'orange' } as const;

/** "@0.5", "top class", "tuned" or "edited": which decision rule answers, with the full sentence on hover. */
export function DecisionBadge({ model, rule, size = 'sm' }: { model: ModelVersion; rule?: LiveRule | null; size?: MantineSize }) {
  const r = rule ?? ruleFromModel(model);
  return (
    <Tooltip label={ruleSentence(r)} multiline w={300} openDelay={200}>
      <Badge size={size} variant="light" color={COLORS[r.source]} tt="none" style={{ flexShrink: 0 }} data-testid="decision-rule" data-rule={r.source}>
        {ruleName(r)}
      </Badge>
    </Tooltip>
  );
}
