import type { LanguageModel } from 'ai';
import { createModel } from '../src/index.js';
import { startFakeProvider, type FakeProvider, type StartFakeProviderOptions } from '../test/fake-provider/index.js';

/** The model spec every contender uses, per wire the fake speaks. */
const BENCH_MODEL_SPECS = { openai: 'openai:gpt-4.1-mini', google: 'google:gemini-2.5-flash' } as const;

/**
 * Starts a fresh loopback fake provider, hands `body` the server and an AI SDK model pointed at
 * it, and closes the server whatever happens: a benchmark that throws must not leave a port open.
 *
 * @example
 * const requests = await withFakeProvider({ latencyMs: 300 }, async (server, model) => { ...; return server.stats().requests; });
 */
export async function withFakeProvider<Result>(
  options: StartFakeProviderOptions,
  body: (server: FakeProvider, model: LanguageModel) => Promise<Result>,
  { wire = 'openai' }: { wire?: keyof typeof BENCH_MODEL_SPECS } = {},
): Promise<Result> {
  const server = await startFakeProvider(options);
  try {
    // a fixed fake key: the fake checks none, and the bench must never read a real one
    const baseURL = wire === 'google' ? server.geminiBaseURL : server.openaiBaseURL;
    const model = createModel(BENCH_MODEL_SPECS[wire], { baseURL, env: { OPENAI_API_KEY: 'sk-test', GOOGLE_GENERATIVE_AI_API_KEY: 'test' } });
    return await body(server, model);
  } finally {
    await server.close();
  }
}
