/**
 * The trainer's error lines ({"type":"error","code":"FINETUNE_…",…}, exit 2) and its problems as AppErrors with a
 * documented code. A trainer code not in the ERROR_CODES table is kept on the problem (`code`) and filed under the
 * platform code that fits its field: data rows, the base model, or another config field.
 */
import { AppError, ERROR_CODES, type ErrorCode, type Problem } from '../../core/errors.ts';

export interface TrainerError { code: string; message: string; field?: string; fix?: string; row?: number; problems?: Array<Partial<Problem>> }

export function platformCode(code: string, field?: string, row?: number): ErrorCode {
  if (code in ERROR_CODES) return code as ErrorCode;
  if (row !== undefined || field?.startsWith('data')) return 'FINETUNE_DATA_INVALID';
  if (/ARCH/.test(code)) return 'FINETUNE_UNKNOWN_ARCHITECTURE';
  if (field?.startsWith('base') || /MODEL|TOKENIZER|TENSOR/.test(code)) return 'FINETUNE_BAD_MODEL';
  return 'FINETUNE_CONFIG_INVALID';
}

/** The field as the API names it: the trainer names run.json fields; `base.path` is the request's `base`. */
function apiField(field: string | undefined): string | undefined {
  if (!field) return field;
  if (field === 'base.path' || field === 'base.format' || field === 'base.tokenizer') return 'base';
  if (field === 'data.train') return 'data';
  return field;
}

export function trainerError(e: TrainerError): AppError {
  const problems: Problem[] = e.problems?.length
    ? e.problems.map((p) => ({ ...(p.row !== undefined ? { row: p.row } : {}), field: apiField(p.field ?? e.field), problem: p.problem ?? e.message, fix: p.fix ?? e.fix ?? '', code: e.code }))
    : [{ ...(e.row !== undefined ? { row: e.row } : {}), field: apiField(e.field), problem: e.message, fix: e.fix ?? '', code: e.code }];
  return new AppError(platformCode(e.code, e.field, e.row), e.message, { problems });
}

/** Several problems, each with its own code: the error takes the first one's code and lists them all. */
export function firstCodeError(problems: Array<Problem & { code: ErrorCode }>, summary: string): AppError {
  const code = problems[0]!.code;
  const listed = problems.slice(0, 5).map((p) => `${p.row !== undefined ? `row ${p.row}: ` : ''}${p.field ?? ''}: ${p.problem}`).join('; ');
  return new AppError(code, `${summary}: ${listed}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`, { problems });
}
