import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { contextWindowOf, DEFAULT_CONTEXT_WINDOW } from '../../src/providers/context-window.js';
import { partCharacters } from '../../src/cli/open-cli-model.js';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();
const PARAGRAPH_CHARACTERS = 100;

/** A 150,000-character document of numbered 100-character paragraphs, so a prompt shows how much of it it carries. */
function longDocument(): string {
  const paragraphs = Array.from({ length: 1_500 }, (_, index) => `Paragraph ${String(index).padStart(4, '0')} `.padEnd(PARAGRAPH_CHARACTERS - 1, 'x') + '.');
  const file = join(makeTempDirectory(), 'manual.md');
  writeFileSync(file, `# Manual\n\n${paragraphs.join('\n\n')}\n`);
  return file;
}

/** The most document characters any one request carried. */
function largestPartOnTheWire(): number {
  const counts = fake.server.stats().timeline.map((entry) => (entry.prompt.match(/Paragraph \d{4} /g) ?? []).length);
  return Math.max(...counts) * PARAGRAPH_CHARACTERS;
}

test('the part size follows the context window: known cloud models, a conservative default, and the local context', () => {
  expect(contextWindowOf('google:gemini-2.5-flash')).toBe(1_048_576);
  expect(contextWindowOf('openai:gpt-4.1-mini')).toBe(1_047_576);
  expect(contextWindowOf('anthropic:claude-haiku-4-5')).toBe(200_000);
  expect(contextWindowOf('ollama:llama3.2')).toBe(4_096);
  expect(contextWindowOf('openai-compatible:my-model')).toBe(DEFAULT_CONTEXT_WINDOW);
  // room is kept for the instructions and the answer, at a conservative 3 characters a token, up to a cap per part
  expect(partCharacters(DEFAULT_CONTEXT_WINDOW)).toBe((8_192 - 1_536) * 3);
  expect(partCharacters(2_048)).toBe((2_048 - 1_536) * 3);
  expect(partCharacters(1_048_576)).toBe(96_000);
});

test('braid faq on a million-token model carries far more than 24,000 characters of a long document per prompt', async () => {
  const result = await runCli(['faq', longDocument(), '--questions', '1', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect(largestPartOnTheWire()).toBeGreaterThan(24_000);
  expect(largestPartOnTheWire()).toBeLessThanOrEqual(partCharacters(contextWindowOf('openai:gpt-4.1-mini')));
});

test('--part-size sets the part size, whatever the model', async () => {
  const result = await runCli(['faq', longDocument(), '--questions', '1', '--part-size', '5000', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect(largestPartOnTheWire()).toBeLessThanOrEqual(5_000);
  expect(largestPartOnTheWire()).toBeGreaterThan(2_500);
});

test('--part-size takes a whole number of characters', async () => {
  const result = await runCli(['faq', '--part-size', 'lots', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/--part-size <chars>' argument 'lots' is invalid/);
});
