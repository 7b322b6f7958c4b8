/**
 * Licence gating, like JumpStart's `accept_eula=true`: models under a licence that must be accepted (the
 * Llama family's community licences by default) refuse to deploy or answer until the caller accepts.
 * Acceptance comes as endpoint config `acceptEula: true`, a body field `accept_eula: true`, `?accept_eula=true`
 * or the SageMaker header `X-Amzn-SageMaker-Custom-Attributes: accept_eula=true` (`;`-separated key=value
 * pairs, the last value of a repeated key wins).
 */
import { AppError } from '../../core/errors.ts';

/** Licence identifiers / names that need explicit acceptance. */
const EULA_LICENSE = /\b(llama[\s_-]?[1-4](\.\d)?|llama[\s_-]?(2|3|4)?[\s_-]?community|meta[\s_-]?llama|code[\s_-]?llama|llama)\b/i;
/** Model names of the Llama family, used when the file carries no licence. */
const LLAMA_FAMILY_NAME = /\b(code[\s_-]?llama|llama[\s_-]?[1-4]|meta[\s_-]?llama|llama[\s_-]?guard)/i;

/** Whether a licence needs acceptance by default: Llama-family licences (llama2, llama3.1, "Llama 2 Community License"…). */
export function licenseRequiresEula(license: string | null | undefined, modelName?: string | null): boolean {
  if (license && license.trim() !== '') return EULA_LICENSE.test(license);
  return modelName ? LLAMA_FAMILY_NAME.test(modelName) : false;
}

/** Parses `key=value; key2=value2` custom attributes (SageMaker's CustomAttributes). */
export function parseCustomAttributes(header: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const value = Array.isArray(header) ? header.join(';') : header;
  if (!value) return out;
  for (const pair of value.split(';')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    out[pair.slice(0, i).trim().toLowerCase()] = pair.slice(i + 1).trim();
  }
  return out;
}

export const CUSTOM_ATTRIBUTES_HEADER = 'x-amzn-sagemaker-custom-attributes';

/** True when the request's SageMaker custom attributes (or `?accept_eula=`) say `accept_eula=true`. */
export function eulaAcceptedInRequest(headers: Record<string, string | string[] | undefined>, query?: unknown): boolean {
  const attrs = parseCustomAttributes(headers[CUSTOM_ATTRIBUTES_HEADER]);
  if (attrs.accept_eula !== undefined) return /^true$/i.test(attrs.accept_eula);
  const q = (query ?? {}) as Record<string, unknown>;
  return typeof q.accept_eula === 'string' && /^true$/i.test(q.accept_eula);
}

/** An invocation's acceptance: `"accept_eula": true` in its body, else the header or query (eulaAcceptedInRequest). */
export function eulaAcceptedBy(req: { body: { accept_eula?: boolean | undefined }; headers: Record<string, string | string[] | undefined>; query?: unknown }): boolean {
  return req.body.accept_eula === true || eulaAcceptedInRequest(req.headers, req.query);
}

export function eulaRequired(modelRef: string, license: string | null, action: 'deploy' | 'invoke'): AppError {
  const fix =
    action === 'deploy'
      ? 'Read the licence, then deploy with config {"acceptEula": true} (CLI --accept-eula) or the header X-Amzn-SageMaker-Custom-Attributes: accept_eula=true.'
      : 'Read the licence, then send the header X-Amzn-SageMaker-Custom-Attributes: accept_eula=true (or "accept_eula": true in the body), or redeploy the endpoint with {"acceptEula": true}.';
  return new AppError('LLM_EULA_REQUIRED', `Model ${modelRef} is under a licence that must be accepted (${license ?? 'Llama family'}) before it can ${action === 'deploy' ? 'be deployed' : 'answer'}.`, {
    problems: [{ field: 'accept_eula', problem: 'the licence has not been accepted', fix }],
    extra: { license },
  });
}
