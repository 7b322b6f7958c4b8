import { Llama2ChatWrapper, specializedChatWrapperTypeNames } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { CHAT_TEMPLATE_NAMES, renderChat, toChatHistory, validateDialog } from './chat.ts';

it("CHAT_TEMPLATE_NAMES (written out so the library loads on first use) are 'auto' and node-llama-cpp's wrapper names", () => {
  expect(CHAT_TEMPLATE_NAMES).toEqual(['auto', ...specializedChatWrapperTypeNames]);
});

describe('Llama-2 dialogs (JumpStart rules)', () => {
  it('accepts system?, then user/assistant alternating, ending with user', () => {
    expect(() => validateDialog([{ role: 'user', content: 'hi' }])).not.toThrow();
    expect(() => validateDialog([{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }])).not.toThrow();
  });

  it('names the message that breaks the rules', () => {
    const err = (() => {
      try {
        validateDialog([{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }], 'inputs[1]');
      } catch (e) {
        return e as AppError;
      }
    })()!;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.problems?.[0]).toMatchObject({ field: 'inputs[1][1].role' });
    expect(() => validateDialog([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }])).toThrow(/does not end with a user message/);
    expect(() => validateDialog([{ role: 'system', content: 's' }])).toThrow(/no user message/);
  });

  it('renders with the Llama 2 chat format: [INST] <<SYS>> … <</SYS>> … [/INST]', () => {
    const chat = renderChat(new Llama2ChatWrapper(), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Why?' },
    ]);
    expect(chat.text.toString()).toBe('BOS[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello!EOSBOS[INST] Why? [/INST] ');
    expect(chat.stop.map((s) => s.toString())).toContain('</s>');
  });

  it('maps roles to chat history and appends the turn to answer', () => {
    expect(toChatHistory([{ role: 'developer', content: 'd' }, { role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }])).toEqual([
      { type: 'system', text: 'd' },
      { type: 'user', text: 'u' },
      { type: 'model', response: ['a'] },
      { type: 'model', response: [] },
    ]);
  });
});
