import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { makeTempDirectory, REPOSITORY_ROOT, runCli, type CliResult } from '../support/run-cli.js';
import { useSharedFakeProvider } from '../support/shared-fake-provider.js';
import { testModelFile } from '../support/test-model-file.js';

// random weights: only the structure of the FAQ is asserted
const TEST_MODEL = testModelFile();
const fake = useSharedFakeProvider();
const Output = z.object({ faqs: z.array(z.object({ question: z.string(), answer: z.string() })).length(1) });

/** A one-paragraph document, so that a one-question single-prompt FAQ is one short local call. */
function oneDocument(): string {
  const file = join(makeTempDirectory(), 'tides.md');
  writeFileSync(file, '# Tides\n\nTides rise and fall twice a day because of the pull of the moon.\n');
  return file;
}

/** A Gemini key in the shell, whose calls would reach the fake provider: any that is made shows in its stats. */
function cloudKeyEnv(): Record<string, string> {
  return { GOOGLE_GENERATIVE_AI_API_KEY: 'test-key', BRAID_BASE_URL: fake.server.geminiBaseURL, BRAID_LOCAL_MODEL: TEST_MODEL };
}

test('with no --model, BRAID_LOCAL_MODEL wins over a cloud key in the environment', { timeout: 180_000 }, async () => {
  const result = await runCli(['faq', oneDocument(), '--questions', '1', '--mode', 'single', '--json'], { env: cloudKeyEnv() });

  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/^braid: run \S+ \(local\)$/m);
  expect(Output.parse(JSON.parse(result.stdout)).faqs).toHaveLength(1);
  expect(fake.server.stats().requests).toBe(0);
});

test('npm start runs the embedded model even when BRAID_MODEL and a cloud key name Gemini', { timeout: 180_000 }, async () => {
  const home = makeTempDirectory('braid-home-');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    BRAID_HOME: join(home, 'braid'),
    BRAID_OFFLINE: '1',
    BRAID_MODEL: 'google:gemini-2.5-flash',
    ...cloudKeyEnv(),
  };
  const child = spawn('npm', ['start', '--silent', '--', oneDocument(), '--questions', '1', '--mode', 'single', '--json'], {
    cwd: REPOSITORY_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const result = await new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/^braid: run \S+ \(local\)$/m);
  expect(Output.parse(JSON.parse(result.stdout)).faqs).toHaveLength(1);
  expect(fake.server.stats().requests).toBe(0);
});
