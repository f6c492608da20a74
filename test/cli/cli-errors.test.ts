import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeTempDirectory, runCli, type CliResult } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const STACK_LINE = /^\s+at /m;

/** Exit code 2, and stderr is exactly one `braid:` line matching `message`: no stack, no run line. */
function expectUsageError(result: CliResult, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^braid: /);
  expect(lines[0]).toMatch(message);
  expect(result.stdout).toBe('');
}

describe('bad input: one clear line, exit code 2, and no call is made', () => {
  test('a missing file', async () => {
    const result = await runCli(['faq', 'no-such-notes.md', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
    expectUsageError(result, /^braid: cannot read no-such-notes\.md: no such file or directory$/);
    expect(fake.server.stats().requests).toBe(0);
  });

  test('an empty document', async () => {
    const file = join(makeTempDirectory(), 'blank.md');
    writeFileSync(file, '\n   \n');
    const result = await runCli(['faq', file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
    expectUsageError(result, /blank\.md is empty/);
    expect(fake.server.stats().requests).toBe(0);
  });

  test('a file braid does not read', async () => {
    const file = join(makeTempDirectory(), 'slides.pdf');
    writeFileSync(file, '%PDF');
    expectUsageError(await runCli(['faq', file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }), /slides\.pdf is not a document braid reads/);
  });

  test('--out into a folder that does not exist fails before the run, not after it', async () => {
    const out = join(makeTempDirectory(), 'missing', 'faq.json');
    const result = await runCli(['faq', '--out', out, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
    expectUsageError(result, /cannot write .*faq\.json/);
    expect(fake.server.stats().requests).toBe(0);
  });

  test('an unknown model spec', async () => {
    const result = await runCli(['route', 'hello', '--model', 'foo:bar'], { env: OPENAI_TEST_ENV });
    expectUsageError(result, /unknown provider "foo" in model spec "foo:bar"/);
  });

  test('a missing key names the variable to set', async () => {
    const result = await runCli(['faq', '--model', 'openai:gpt-4o']);
    expectUsageError(result, /openai:gpt-4o needs an API key: set OPENAI_API_KEY/);
  });

  test('a missing local model file', async () => {
    const result = await runCli(['faq', '--model', 'local'], { env: { BRAID_LOCAL_MODEL: '/nowhere/model.gguf' } });
    expectUsageError(result, /no model file at \/nowhere\/model\.gguf/);
  });

  test('route and orchestrate: a broken config, a missing batch file, an empty stdin batch, no query, an empty message', async () => {
    const directory = makeTempDirectory();
    writeFileSync(join(directory, 'broken.json'), '{"intents": [');
    const runs = await Promise.all([
      runCli(['route', 'hi', '--config', join(directory, 'broken.json'), ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
      runCli(['route', '--batch', join(directory, 'nope.txt'), ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
      runCli(['route', '--batch', '-', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV, input: '\n  \n' }),
      runCli(['route', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
      runCli(['orchestrate', ' ', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
    ]);
    const messages = [/broken\.json is not valid JSON/, /cannot read .*nope\.txt/, /stdin holds no queries/, /give one query/, /the message is empty/];
    runs.forEach((result, index) => expectUsageError(result, messages[index]!));
    expect(fake.server.stats().requests).toBe(0);
  });

  test('flags commander rejects: exit code 2, no stack', async () => {
    const runs = await Promise.all([runCli(['faq', '--questions', '0']), runCli(['translate', 'hello'])]);
    const messages = [/argument '0' is invalid\. expected a whole number of at least 1/, /unknown command 'translate'/];
    runs.forEach((result, index) => {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(messages[index]!);
      expect(result.stderr).not.toMatch(STACK_LINE);
    });
  });
});

test('--verbose adds the stack and its causes', async () => {
  const result = await runCli(['faq', 'no-such-notes.md', '--verbose', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^braid: cannot read no-such-notes\.md: no such file or directory\nInputError: /);
  expect(result.stderr).toMatch(STACK_LINE);
  expect(result.stderr).toMatch(/^caused by: Error: ENOENT/m);
});

test('a provider that refuses the key: exit code 1, and the key is never printed, even with --verbose', async () => {
  const key = 'sk-secret-4f9c2e7a1b';
  fake.server.configure({ rules: [{ match: /[\s\S]/, status: 401 }] });

  const result = await runCli(['route', 'I was charged twice', '--json', '--verbose', ...fake.openaiArgs()], { env: { OPENAI_API_KEY: key } });

  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^braid: .*401/m);
  expect(result.stderr).toMatch(/^braid: 0 of \d+ steps finished/m);
  expect(`${result.stdout}${result.stderr}`).not.toContain(key);
  expect(`${result.stdout}${result.stderr}`).not.toContain(key.slice(3, 12));
});

test('--help on every command shows examples', async () => {
  const runs = await Promise.all([[], ['faq'], ['route'], ['orchestrate']].map((command) => runCli([...command, '--help'])));
  for (const [index, command] of ['', 'faq', 'route', 'orchestrate'].entries()) {
    const result = runs[index]!;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain(`$ braid ${command}`);
    if (command !== '') expect(result.stdout).toMatch(/--model <spec>[\s\S]*--json[\s\S]*--verbose/);
  }
});
