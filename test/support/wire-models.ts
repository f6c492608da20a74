import type { LanguageModel } from 'ai';
import { createModel } from '../../src/index.js';
import type { FakeProvider } from '../fake-provider/index.js';

/** Every wire braid speaks, each reached through the real SDK client pointed at the fake server. */
export const WIRES = ['openai', 'google', 'anthropic', 'openai-compatible'] as const;
export type Wire = (typeof WIRES)[number];

const TEST_ENV = {
  OPENAI_API_KEY: 'sk-test-openai',
  GOOGLE_GENERATIVE_AI_API_KEY: 'test-google',
  ANTHROPIC_API_KEY: 'test-anthropic',
};

/** A model on `wire` whose requests reach `server`. */
export function modelOn(wire: Wire, server: FakeProvider, modelId = 'test-model'): LanguageModel {
  const baseURL = wire === 'google' ? server.geminiBaseURL : wire === 'anthropic' ? server.anthropicBaseURL : server.openaiBaseURL;
  return createModel(`${wire}:${modelId}`, { baseURL, env: TEST_ENV });
}

/** A retry policy that keeps failing tests fast: the behaviour is the same, the waits are short. */
export const QUICK_RETRY = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 };
