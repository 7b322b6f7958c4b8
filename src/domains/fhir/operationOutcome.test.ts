/** The one error → OperationOutcome converter, as FHIR clients (details.text) and CDS clients (diagnostics) read it. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { errorOutcome, problemOutcome } from './operationOutcome.ts';

const coding = (code: string) => [{ system: 'https://sagebrush.dev/errors', code }];

describe('problemOutcome', () => {
  it('gives the headline to FHIR and CDS readers alike, and one issue per problem', () => {
    const oo = problemOutcome({
      status: 400,
      code: 'CDS_REQUEST_INVALID',
      detail: 'The order-sign context is invalid: context.userId: required',
      problems: [
        { field: 'context.userId', problem: 'Missing required property', fix: 'Send the user id.' },
        { field: 'prefetch', problem: 'unused key', fix: 'Drop it.', severity: 'warning' },
      ],
    });
    expect(oo).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', details: { text: 'The order-sign context is invalid: context.userId: required', coding: coding('CDS_REQUEST_INVALID') }, diagnostics: 'The order-sign context is invalid: context.userId: required' },
        { severity: 'error', code: 'required', details: { text: 'Missing required property', coding: coding('CDS_REQUEST_INVALID') }, diagnostics: 'Missing required property. Send the user id.', expression: ['context.userId'] },
        { severity: 'warning', code: 'invalid', details: { text: 'unused key', coding: coding('CDS_REQUEST_INVALID') }, diagnostics: 'unused key. Drop it.', expression: ['prefetch'] },
      ],
    });
  });

  it('types the issue by error code, else by HTTP status', () => {
    const typeOf = (status: number, code: Parameters<typeof problemOutcome>[0]['code']) => problemOutcome({ status, code, detail: 'x' }).issue[0]!.code;
    expect(typeOf(404, 'FHIR_RESOURCE_TYPE_UNKNOWN')).toBe('not-supported');
    expect(typeOf(410, 'FHIR_GONE')).toBe('deleted');
    expect(typeOf(401, 'CDS_JWT_INVALID')).toBe('login');
    expect(typeOf(403, 'CDS_CORS_ORIGIN_DENIED')).toBe('forbidden');
    expect(typeOf(412, 'CDS_PREFETCH_UNAVAILABLE')).toBe('not-found');
    expect(typeOf(429, 'RATE_LIMITED')).toBe('throttled');
    expect(typeOf(400, 'FHIR_SERVER_NOT_ALLOWED')).toBe('invalid');
    expect(problemOutcome({ status: 500, code: 'INTERNAL', detail: 'Internal error' }).issue[0]).toMatchObject({ severity: 'fatal', code: 'exception' });
  });

  it('answers an invalid FHIR resource with its problems alone, each naming its element', () => {
    const err = new AppError('FHIR_RESOURCE_INVALID', 'Patient is invalid', { problems: [{ field: 'Patient.birthDate', problem: 'not a date', fix: 'Use YYYY-MM-DD.' }] });
    const { status, outcome } = errorOutcome(err);
    expect(status).toBe(400);
    expect(outcome.issue).toEqual([{ severity: 'error', code: 'structure', details: { text: 'not a date', coding: coding('FHIR_RESOURCE_INVALID') }, diagnostics: 'not a date. Use YYYY-MM-DD.', expression: ['Patient.birthDate'] }]);
  });
});
