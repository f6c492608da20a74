import { expect, test } from 'vitest';
import { promptToChatHistory } from '../../../src/providers/local/prompt-to-chat-history.js';

test('system, user and assistant turns map onto chat history, ending with an open answer', () => {
  const { history, warnings } = promptToChatHistory([
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'there' }] },
    { role: 'assistant', content: [{ type: 'reasoning', text: 'hidden' }, { type: 'text', text: 'Hello!' }] },
    { role: 'user', content: [{ type: 'text', text: 'Again' }] },
  ]);
  expect(history).toEqual([
    { type: 'system', text: 'Be brief.' },
    { type: 'user', text: 'Hi\nthere' },
    { type: 'model', response: ['Hello!'] },
    { type: 'user', text: 'Again' },
    { type: 'model', response: [] },
  ]);
  expect(warnings).toEqual([]);
});

test('a trailing assistant message is a prefill the model continues', () => {
  const { history } = promptToChatHistory([
    { role: 'user', content: [{ type: 'text', text: 'Name a metal' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'The metal is' }] },
  ]);
  expect(history.at(-1)).toEqual({ type: 'model', response: ['The metal is'] });
});

test('images are dropped with a warning; inline text files are read', () => {
  const { history, warnings } = promptToChatHistory([
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Look' },
        { type: 'file', mediaType: 'image/png', data: { type: 'data', data: new Uint8Array([1, 2]) } },
        { type: 'file', mediaType: 'text/plain', data: { type: 'text', text: 'notes.txt says hi' } },
      ],
    },
  ]);
  expect(history[0]).toEqual({ type: 'user', text: 'Look\nnotes.txt says hi' });
  expect(warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'file parts (image/png)' })]);
});

test('tool calls and results become text, with a compatibility warning', () => {
  const { history, warnings } = promptToChatHistory([
    { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: '1', toolName: 'weather', input: { city: 'Oslo' } }] },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: '1', toolName: 'weather', output: { type: 'text', value: 'rain' } }] },
  ]);
  expect(history.map((item) => item.type)).toEqual(['user', 'model', 'user', 'model']);
  expect(JSON.stringify(history[1])).toContain('weather');
  expect(JSON.stringify(history[2])).toContain('rain');
  expect(warnings.map((warning) => warning.type)).toContain('compatibility');
});
