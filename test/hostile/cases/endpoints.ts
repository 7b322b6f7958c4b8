/**
 * Endpoint and model operations with hostile bodies: LLM and image calls on a text-classifier endpoint, the
 * OpenAI-compatible routes, decision-rule updates, and row edits of a control dataset — all refused, so the
 * control dataset keeps its single version (checked at the end of the corpus).
 */
import { err, type HostileCase, type Outcome } from '../case.ts';

function call(name: string, method: string, url: string, payload: unknown, expect: Outcome): HostileCase {
  return {
    group: 'bodies',
    name,
    send: (env) => env.inject({ method: method as 'POST', url, headers: env.auth, ...(payload === undefined ? {} : { payload: payload as object }) }),
    expect,
  };
}

const V = err(400, 'VALIDATION_FAILED');
const EDITS = '/api/v1/datasets/ctl-tickets/versions/1/edits';
const DECISION = '/api/v1/text/models/ctl-model/versions/1/decision';

export const endpointCases: HostileCase[] = [
  call('LLM invocation on a text-classifier endpoint', 'POST', '/api/v1/endpoints/ctl-ep/invocations', { inputs: 'hello' }, err(409, 'CONFLICT')),
  call('infill on a text-classifier endpoint', 'POST', '/api/v1/endpoints/ctl-ep/infill', { prefix: 'a', suffix: 'b' }, err(409, 'CONFLICT')),
  call('image prediction on a text-classifier endpoint', 'POST', '/api/v1/endpoints/ctl-ep/predict-image', { image: 'iVBORw0KGgo=' }, err(409, 'CONFLICT')),
  call('OpenAI chat with a text-classifier endpoint as model', 'POST', '/v1/chat/completions', { model: 'ctl-ep', messages: [{ role: 'user', content: 'hi' }] }, err(409, 'CONFLICT')),
  call('OpenAI chat with an unknown model', 'POST', '/v1/chat/completions', { model: 'no-such-endpoint', messages: [{ role: 'user', content: 'hi' }] }, err(404, 'ENDPOINT_NOT_FOUND')),
  call('OpenAI chat with messages as a string', 'POST', '/v1/chat/completions', { model: 'ctl-ep', messages: 'hi' }, V),
  call('OpenAI chat with an unknown role', 'POST', '/v1/chat/completions', { model: 'ctl-ep', messages: [{ role: 'root', content: 'hi' }] }, V),
  call('OpenAI chat with max_tokens -1', 'POST', '/v1/chat/completions', { model: 'ctl-ep', messages: [{ role: 'user', content: 'hi' }], max_tokens: -1 }, V),
  call('OpenAI chat with temperature "hot"', 'POST', '/v1/chat/completions', { model: 'ctl-ep', messages: [{ role: 'user', content: 'hi' }], temperature: 'hot' }, V),
  call('OpenAI completion with a prompt object', 'POST', '/v1/completions', { model: 'ctl-ep', prompt: { $gt: '' } }, V),
  call('decision: a threshold of 2', 'PUT', DECISION, { thresholds: { billing: 2 } }, V),
  call('decision: a threshold of -1', 'PUT', DECISION, { thresholds: { billing: -1 } }, V),
  call('decision: thresholds as an array', 'PUT', DECISION, { thresholds: [0.5] }, V),
  call('decision: an unknown label', 'PUT', DECISION, { thresholds: { 'no-such-label': 0.5 } }, V),
  call('dataset edits: row 0', 'POST', EDITS, { drop: [0] }, V),
  call('dataset edits: a negative row', 'POST', EDITS, { drop: [-5] }, V),
  call('dataset edits: a row past the end', 'POST', EDITS, { drop: [1_000_000_000] }, err(400, 'DATASET_EDIT_ROW_UNKNOWN')),
  call('dataset edits: a fractional row', 'POST', EDITS, { drop: [1.5] }, V),
  call('dataset edits: an unknown operation', 'POST', EDITS, { truncate: true }, V),
  call('dataset edits: relabel with no labels', 'POST', EDITS, { relabel: [{ row: 1, labels: [] }] }, V),
  call('dataset edits: relabel with an extra key', 'POST', EDITS, { relabel: [{ row: 1, labels: ['x'], admin: true }] }, V),
  call('dataset edits: version 0', 'POST', '/api/v1/datasets/ctl-tickets/versions/0/edits', { drop: [1] }, V),
  call('dataset edits: an image dataset', 'POST', '/api/v1/datasets/ctl-images/versions/1/edits', { drop: [1] }, err(400, 'DATASET_NOT_EDITABLE')),
  call('cancel an unknown job', 'POST', '/api/v1/jobs/no-such-job/cancel', undefined, err(404, 'JOB_NOT_FOUND')),
  call('delete a model version an endpoint uses', 'DELETE', '/api/v1/models/ctl-model/versions/1', undefined, err(409, 'IN_USE')),
  call('delete a model an endpoint uses', 'DELETE', '/api/v1/models/ctl-model', undefined, err(409, 'IN_USE')),
];
