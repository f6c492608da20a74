import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';

/** The env a child needs to reach the fake on the OpenAI wire. */
export const OPENAI_TEST_ENV = { OPENAI_API_KEY: 'sk-test' };

export interface SharedFakeProvider {
  /** The file's one fake server (started in `beforeAll`). */
  readonly server: FakeProvider;
  /** `--model openai:gpt-4.1-mini --base-url <the fake>`. */
  openaiArgs(): string[];
}

/**
 * One fake provider for a whole test file (children are slow enough to start): rules, latency and
 * stats are cleared before each test, so a test configures only what it needs.
 */
export function useSharedFakeProvider(): SharedFakeProvider {
  let server: FakeProvider | undefined;
  beforeAll(async () => {
    server = await startFakeProvider();
  });
  afterAll(() => server?.close());
  beforeEach(() => {
    server?.configure({ rules: [], latencyMs: 0 });
    server?.reset();
  });
  return {
    get server() {
      if (!server) throw new Error('the fake provider starts in beforeAll');
      return server;
    },
    openaiArgs() {
      return ['--model', 'openai:gpt-4.1-mini', '--base-url', this.server.openaiBaseURL];
    },
  };
}
