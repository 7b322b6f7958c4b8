/** Validates a payload against a zod schema, turning its issues into one VALIDATION_FAILED AppError that names each field. */
import { AppError } from './errors.ts';

export function parseWith<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, payload: unknown): T {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => ({ field: i.path.map(String).join('.'), problem: i.message, fix: 'See the API schema at /api/openapi.json.' }));
  throw new AppError('VALIDATION_FAILED', `Invalid request: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, { problems });
}
