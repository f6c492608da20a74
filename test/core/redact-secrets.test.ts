import { describe, expect, test } from 'vitest';
import { redactSecrets, SECRET_VARIABLES } from '../../src/core/redact-secrets.js';
import { API_KEY_VARIABLES } from '../../src/providers/create-model.js';

const env = {
  OPENAI_API_KEY: 'sk-proj-4f9c2e7a1b6d',
  ANTHROPIC_API_KEY: 'sk-ant-api03-4f9c2e7a1b6d-longer',
  OPENAI_COMPATIBLE_API_KEY: 'vllm-local-key-123',
  GITHUB_TOKEN: 'ghp_abcdefghijklmnop',
  SHORT_API_KEY: 'abc',
  HOME: '/home/someone-long-enough',
};

describe('redactSecrets', () => {
  test('hides the value of every key variable braid reads, naming the variable', () => {
    expect(redactSecrets('401 Incorrect API key provided: sk-proj-4f9c2e7a1b6d.', { env })).toBe('401 Incorrect API key provided: [redacted OPENAI_API_KEY].');
    expect(redactSecrets('key vllm-local-key-123 refused', { env })).toBe('key [redacted OPENAI_COMPATIBLE_API_KEY] refused');
  });

  test('a key that contains another key goes whole', () => {
    expect(redactSecrets('got sk-ant-api03-4f9c2e7a1b6d-longer', { env: { ...env, OPENAI_API_KEY: 'sk-ant-api03' } })).toBe('got [redacted ANTHROPIC_API_KEY]');
  });

  test('variables named like secrets are hidden too; short values and other variables are left alone', () => {
    expect(redactSecrets('token ghp_abcdefghijklmnop, abc, /home/someone-long-enough', { env })).toBe('token [redacted GITHUB_TOKEN], abc, /home/someone-long-enough');
  });

  test('URL passwords, key= query parameters and bearer tokens, without any variable set', () => {
    const text = 'fetch https://alice:hunter2@llm.example/v1 and redis://:p4ss@10.0.0.5:6379 and https://x.example/m?alt=sse&key=AIzaSyD-123&b=1 with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc';
    expect(redactSecrets(text, { env: {} })).toBe(
      'fetch https://alice:***@llm.example/v1 and redis://:***@10.0.0.5:6379 and https://x.example/m?alt=sse&key=***&b=1 with Authorization: Bearer ***',
    );
  });

  test('text without secrets is unchanged', () => {
    const text = 'no answer within 60000 ms: see https://llm.example/v1/chat/completions (user@example.com)';
    expect(redactSecrets(text, { env })).toBe(text);
  });

  test('every API key variable of the providers is a secret variable', () => {
    for (const variable of Object.values(API_KEY_VARIABLES)) expect(SECRET_VARIABLES).toContain(variable);
  });
});
