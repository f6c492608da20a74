import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const KEY = 'sk-proj-Zq81xVb20cLk';

test('a provider error that echoes the key: the key is in no line printed, with --verbose, per document and per query', async () => {
  fake.server.configure({ rules: [{ match: /[\s\S]/, status: 401, message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.example/account.` }] });
  const env = { OPENAI_API_KEY: KEY };

  const runs = await Promise.all([
    runCli(['faq', '--questions', '1', '--verbose', ...fake.openaiArgs()], { env }),
    runCli(['faq', 'samples', '--per-document', '--questions', '1', '--json', ...fake.openaiArgs()], { env }),
    runCli(['route', '--batch', '-', ...fake.openaiArgs()], { env, input: 'I was charged twice\n' }),
  ]);

  for (const result of runs) {
    expect(result.code, result.stderr).toBe(1);
    const printed = `${result.stdout}${result.stderr}`;
    expect(printed).toContain('Incorrect API key provided: [redacted OPENAI_API_KEY]');
    expect(printed).not.toContain(KEY);
  }
});

test('a flag value commander refuses is quoted without its password', async () => {
  const result = await runCli(['route', 'hi', '--base-url', 'htp://alice:hunter2-secret@llm.example/v1']);

  expect(result.code).toBe(2);
  expect(result.stderr).toContain("argument 'htp://alice:***@llm.example/v1' is invalid");
  expect(result.stderr).not.toContain('hunter2-secret');
});

// redactSecrets runs where spans are closed (core/span-recorder.ts), where a failed call's message is made
// (core/run-step.ts) and where the command is stored (cli/open-cli-runtime.ts)
test('a --base-url with a password and a key echoed by the provider reach no trace, journal or runs listing', async () => {
  const directory = makeTempDirectory();
  const trace = join(directory, 'trace.jsonl');
  const store = join(directory, 'runs.db');
  const baseUrl = fake.server.openaiBaseURL.replace('http://', 'http://alice:hunter2-secret@');
  fake.server.configure({ rules: [{ match: /[\s\S]/, status: 401, message: `Incorrect API key provided: ${KEY}.` }] });

  const [credentials, echoed] = await Promise.all([
    runCli(['route', 'hi', '--model', 'openai:gpt-4.1-mini', '--base-url', baseUrl, '--run-id', 'with-password', '--store', store], { env: { OPENAI_API_KEY: 'sk-test' } }),
    runCli(['route', 'hi', ...fake.openaiArgs(), '--trace', trace, '--run-id', 'echoed', '--store', `${store}-2`], { env: { OPENAI_API_KEY: KEY } }),
  ]);
  expect(credentials.code).toBe(1);
  expect(echoed.code).toBe(1);

  const listings = await Promise.all([
    runCli(['runs', 'with-password', '--json', '--store', store]),
    runCli(['runs', 'echoed', '--json', '--store', `${store}-2`]),
  ]);
  const everything = [credentials.stderr, echoed.stderr, readFileSync(trace, 'utf8'), ...listings.map((listing) => listing.stdout)].join('\n');
  expect(listings[0]!.stdout).toContain('alice:***@');
  expect(everything).not.toContain('hunter2-secret');
  expect(everything).not.toContain(KEY);
});
