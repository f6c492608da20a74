import { expect, test } from 'vitest';
import { createModel, MissingSettingError, ModelSpecError } from '../../src/index.js';
import { defaultModelSpec, parseModelSpec } from '../../src/providers/model-spec.js';

test('specs parse into provider and model', () => {
  expect(parseModelSpec('google:gemini-2.5-flash')).toEqual({ provider: 'google', model: 'gemini-2.5-flash' });
  expect(parseModelSpec('ollama:llama3.2:3b')).toEqual({ provider: 'ollama', model: 'llama3.2:3b' });
  expect(parseModelSpec('local')).toEqual({ provider: 'local', model: '' });
  expect(parseModelSpec('local:/models/qwen.gguf')).toEqual({ provider: 'local', model: '/models/qwen.gguf' });
});

test('a malformed spec says what a spec looks like', () => {
  expect(() => parseModelSpec('gpt-4o')).toThrow(ModelSpecError);
  expect(() => parseModelSpec('gpt-4o')).toThrow(/expected provider:model/);
  expect(() => parseModelSpec('openai:')).toThrow(/names no model/);
});

test('an unknown provider lists the known ones', () => {
  expect(() => parseModelSpec('mistral:large')).toThrow(/unknown provider "mistral".*google, openai, anthropic/);
});

test('a missing key names the variable to set and never prints a key', () => {
  const env = { GOOGLE_GENERATIVE_AI_API_KEY: 'secret-google-key' };
  const error = (() => {
    try {
      createModel('openai:gpt-4.1-mini', { env });
    } catch (caught) {
      return caught;
    }
  })();
  expect(error).toBeInstanceOf(MissingSettingError);
  expect((error as Error).message).toContain('OPENAI_API_KEY');
  expect((error as Error).message).not.toContain('secret-google-key');
});

test('openai-compatible needs a base URL', () => {
  expect(() => createModel('openai-compatible:qwen', { env: {} })).toThrow(/BRAID_BASE_URL/);
  expect(createModel('openai-compatible:qwen', { env: { BRAID_BASE_URL: 'http://127.0.0.1:9/v1' } })).toMatchObject({ modelId: 'qwen' });
});

test('the default model is BRAID_MODEL, else the provider whose key is set, else local', () => {
  expect(defaultModelSpec({ BRAID_MODEL: 'openai:gpt-4o' })).toBe('openai:gpt-4o');
  expect(defaultModelSpec({ GOOGLE_GENERATIVE_AI_API_KEY: 'k' })).toBe('google:gemini-2.5-flash');
  expect(defaultModelSpec({ ANTHROPIC_API_KEY: 'k' })).toMatch(/^anthropic:/);
  expect(defaultModelSpec({})).toBe('local');
});
