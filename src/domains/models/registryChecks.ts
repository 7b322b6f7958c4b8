/** Input rules of the registry's governance writes; each refusal names the field and how to fix it. */
import { AppError, type ErrorCode } from '../../core/errors.ts';
import type { ApprovalStatus } from './registryStore.ts';

export const ALIAS_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,62}$/;
/** `latest` and `v<N>` would read as a version, not an alias (as in MLflow). */
const RESERVED_ALIAS = /^(latest|v\d+)$/i;
export const TAG_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
export const MAX_TAGS = 50;
export const MAX_TAG_VALUE = 500;
export const MAX_REASON = 2000;
export const MAX_CARD_FIELD = 20_000;

export interface CardInput {
  description?: string;
  intendedUse?: string;
  limitations?: string;
}

export function invalid(code: ErrorCode, field: string, message: string, fix: string): AppError {
  return new AppError(code, message, { problems: [{ field, problem: message, fix }] });
}

export function checkAlias(alias: string): void {
  if (!ALIAS_PATTERN.test(alias) || RESERVED_ALIAS.test(alias)) {
    throw invalid('MODEL_ALIAS_INVALID', 'alias', `Alias "${alias}" is not allowed.`, 'Use 1–63 letters, digits, ".", "_" or "-", starting with a letter; "latest" and "v<N>" are reserved.');
  }
}

/** A rejection needs a reason (who reads the history must learn why); every reason is bounded. */
export function checkReason(status: ApprovalStatus, reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (status === 'Rejected' && text === '') throw invalid('MODEL_APPROVAL_INVALID', 'reason', 'A rejection needs a reason.', 'Send reason: why the version is rejected (e.g. "recall below 0.8 on the holdout").');
  if (text.length > MAX_REASON) throw invalid('MODEL_APPROVAL_INVALID', 'reason', `The reason is ${text.length} characters; at most ${MAX_REASON}.`, 'Shorten the reason.');
  return text;
}

export function checkTags(tags: Record<string, string>, existing: Record<string, string>): void {
  const problems: Array<{ field: string; problem: string; fix: string }> = [];
  for (const [k, v] of Object.entries(tags)) {
    if (!TAG_KEY_PATTERN.test(k)) problems.push({ field: `tags.${k}`, problem: 'invalid tag key', fix: 'Use 1–64 letters, digits, ".", "_", ":", "/" or "-", starting with a letter or digit.' });
    else if (typeof v !== 'string' || v.length > MAX_TAG_VALUE) problems.push({ field: `tags.${k}`, problem: `the value must be text of at most ${MAX_TAG_VALUE} characters`, fix: 'Shorten the value.' });
  }
  const total = new Set([...Object.keys(existing), ...Object.keys(tags)]).size;
  if (total > MAX_TAGS) problems.push({ field: 'tags', problem: `a version may have at most ${MAX_TAGS} tags (this would make ${total})`, fix: 'Delete tags you no longer need.' });
  if (problems.length) throw new AppError('MODEL_TAG_INVALID', `Tags refused: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}.`, { problems });
}

export function checkCard(card: Required<CardInput>): Required<CardInput> {
  for (const [field, value] of Object.entries(card)) {
    if (value.length > MAX_CARD_FIELD) throw invalid('MODEL_CARD_INVALID', field, `${field} is ${value.length} characters; at most ${MAX_CARD_FIELD}.`, `Shorten ${field}.`);
  }
  return card;
}
