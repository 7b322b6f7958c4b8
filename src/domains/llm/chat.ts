/**
 * Chat dialogs → prompt. Dialogs are rendered with the model's own chat format through node-llama-cpp's chat
 * wrappers: the GGUF `tokenizer.chat_template` (Jinja) or the specialised wrapper it matches — Llama 2 chat is
 * `<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s><s>[INST] {user} [/INST]`.
 * Message contents are plain text: control-token text typed by a user is never parsed as a special token.
 */
import type { ChatHistoryItem, ChatWrapper, LlamaModel, LlamaText, SpecializedChatWrapperTypeName } from 'node-llama-cpp';
import { AppError, type Problem } from '../../core/errors.ts';
import { llamaCpp } from '../../runtimes/llama.ts';
import type { ChatMessage } from './params.ts';

/**
 * 'auto' and node-llama-cpp's `specializedChatWrapperTypeNames`, written out so the config schema needs no import of
 * the library at start-up (it loads on first use); chat.test.ts checks the list against the library's.
 */
export const CHAT_TEMPLATE_NAMES = [
  'auto', 'general', 'deepSeek', 'qwen', 'llama3.2-lightweight', 'llama3.1', 'llama3', 'llama2Chat', 'mistral', 'alpacaChat',
  'functionary', 'chatML', 'falconChat', 'gemma4', 'gemma', 'harmony', 'muse', 'seed',
] as const satisfies ReadonlyArray<'auto' | SpecializedChatWrapperTypeName>;
export type ChatTemplateName = (typeof CHAT_TEMPLATE_NAMES)[number];

/**
 * JumpStart's Llama-2 dialog rules: an optional system message first, then user and assistant alternating,
 * ending with user. Problems name the dialog and message (`inputs[d][m].role`).
 */
export function validateDialog(dialog: ChatMessage[], path = 'inputs[0]'): void {
  const problems: Problem[] = [];
  const start = dialog[0]?.role === 'system' ? 1 : 0;
  if (dialog.length === start) problems.push({ field: path, problem: 'the dialog has no user message', fix: 'Add a {"role": "user", "content": …} message.' });
  for (let i = start; i < dialog.length; i++) {
    const expected = (i - start) % 2 === 0 ? 'user' : 'assistant';
    if (dialog[i]!.role !== expected) {
      problems.push({ field: `${path}[${i}].role`, problem: `message ${i} is "${dialog[i]!.role}" where "${expected}" was expected`, fix: 'Use an optional system message first, then alternate user and assistant, ending with user.' });
      break;
    }
  }
  if (dialog.length > start && dialog[dialog.length - 1]!.role !== 'user') {
    problems.push({ field: `${path}[${dialog.length - 1}].role`, problem: 'the dialog does not end with a user message', fix: 'End the dialog with the user message the model should answer.' });
  }
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid dialog ${path}: ${problems[0]!.problem}.`, { problems });
}

export function toChatHistory(messages: Array<{ role: string; content: string }>): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') history.push({ type: 'system', text: m.content });
    else if (m.role === 'user') history.push({ type: 'user', text: m.content });
    else history.push({ type: 'model', response: [m.content] });
  }
  // The turn the model answers.
  history.push({ type: 'model', response: [] });
  return history;
}

/** `model` came from runtimes/llama.ts, so node-llama-cpp is loaded. */
export function chatWrapperFor(model: LlamaModel, name: ChatTemplateName = 'auto'): ChatWrapper {
  return llamaCpp().resolveChatWrapper(model, { type: name, warningLogs: false }) as ChatWrapper;
}

export interface RenderedChat {
  text: LlamaText;
  stop: LlamaText[];
}

export function renderChat(wrapper: ChatWrapper, messages: Array<{ role: string; content: string }>): RenderedChat {
  const state = wrapper.generateContextState({ chatHistory: toChatHistory(messages) });
  return { text: state.contextText, stop: state.stopGenerationTriggers };
}
