import { describe, expect, it } from 'vitest';
import { eulaAcceptedInRequest, licenseRequiresEula, parseCustomAttributes } from './eula.ts';

describe('licence gating', () => {
  it('Llama-family licences need acceptance; permissive ones do not', () => {
    for (const l of ['llama2', 'llama3.1', 'llama3.2', 'Llama 2 Community License Agreement', 'LLAMA 3 COMMUNITY LICENSE', 'llama-2']) expect(licenseRequiresEula(l), l).toBe(true);
    for (const l of ['mit', 'apache-2.0', 'Apache 2.0', 'cc-by-4.0', 'other', 'gemma']) expect(licenseRequiresEula(l), l).toBe(false);
  });

  it('without a licence, the Llama family is recognised by name', () => {
    expect(licenseRequiresEula(null, 'Llama-2-7b-chat')).toBe(true);
    expect(licenseRequiresEula(undefined, 'CodeLlama-7B-Instruct')).toBe(true);
    expect(licenseRequiresEula(null, 'stories260K (karpathy/tinyllamas)')).toBe(false);
    expect(licenseRequiresEula('', 'mistral-7b')).toBe(false);
  });

  it('parses SageMaker custom attributes (";"-separated, last value wins)', () => {
    expect(parseCustomAttributes('accept_eula=true')).toEqual({ accept_eula: 'true' });
    expect(parseCustomAttributes('a=1; accept_eula=false;accept_eula=true ')).toEqual({ a: '1', accept_eula: 'true' });
    expect(parseCustomAttributes(undefined)).toEqual({});
    expect(parseCustomAttributes('garbage')).toEqual({});
  });

  it('reads acceptance from the header or the query', () => {
    expect(eulaAcceptedInRequest({ 'x-amzn-sagemaker-custom-attributes': 'accept_eula=true' })).toBe(true);
    expect(eulaAcceptedInRequest({ 'x-amzn-sagemaker-custom-attributes': 'accept_eula=false' }, { accept_eula: 'true' })).toBe(false);
    expect(eulaAcceptedInRequest({}, { accept_eula: 'TRUE' })).toBe(true);
    expect(eulaAcceptedInRequest({})).toBe(false);
  });
});
