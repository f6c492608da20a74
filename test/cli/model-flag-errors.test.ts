import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeTempDirectory, runCli, type CliResult } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();
// anything a terminal would not show as text: NUL and the other control bytes (newline aside)
const CONTROL_BYTES = /[\u0000-\u0009\u000b-\u001f\u007f]/;

/** Exit code 2, nothing on stdout, and stderr is exactly one `braid:` line matching `message`. */
function expectOneLineUsageError(result: CliResult, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^braid: /);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(CONTROL_BYTES);
}

describe('a file that is not a GGUF model: exit code 2, one line naming the file, none of its bytes', () => {
  function notAModel(): string {
    const file = join(makeTempDirectory(), 'hostname');
    writeFileSync(file, Buffer.from('\u0000\u0001\u001b]52;c;aGk=\u0007 build-box-7\n', 'utf8'));
    return file;
  }

  test('named by --model local:<file>', async () => {
    const file = notAModel();
    const result = await runCli(['route', 'hello', '--model', `local:${file}`]);
    expectOneLineUsageError(result, new RegExp(`^braid: ${file} is not a GGUF model file \\(from --model local:${file}\\)`));
  });

  test('named by BRAID_LOCAL_MODEL', async () => {
    const file = notAModel();
    const result = await runCli(['route', 'hello', '--model', 'local'], { env: { BRAID_LOCAL_MODEL: file } });
    expectOneLineUsageError(result, new RegExp(`^braid: ${file} is not a GGUF model file \\(from BRAID_LOCAL_MODEL=${file}\\)`));
  });
});

describe('a malformed --base-url is a usage error naming the flag, before any call', () => {
  test.each([
    ['localhost:8080', /expected an http:\/\/ or https:\/\/ URL, e\.g\. http:\/\/localhost:8080/],
    ['ht!tp://', /not a URL/],
  ])('--base-url %s', async (url, problem) => {
    const result = await runCli(['route', 'hello', '--model', 'openai:gpt-4.1-mini', '--base-url', url], { env: OPENAI_TEST_ENV });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`option '--base-url <url>' argument '${url}' is invalid`);
    expect(result.stderr).toMatch(problem);
    expect(result.stdout).toBe('');
    expect(fake.server.stats().requests).toBe(0);
  });

  test('BRAID_BASE_URL is checked the same way, and named', async () => {
    const result = await runCli(['route', 'hello', '--model', 'openai:gpt-4.1-mini'], { env: { ...OPENAI_TEST_ENV, BRAID_BASE_URL: 'localhost:8080' } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("value 'localhost:8080' from env 'BRAID_BASE_URL' is invalid");
  });
});
