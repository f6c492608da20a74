import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

/** One 150-character note: room for 7 questions at one per 20 characters. */
const NOTE = `${'The kettle holds 1.7 litres and boils in 3 minutes. '.repeat(3).slice(0, 150)}\n`;

test('--questions beyond the hard cap, or beyond what the documents can carry: one line, exit code 2, no call', async () => {
  const directory = makeTempDirectory();
  const note = join(directory, 'kettle.md');
  writeFileSync(note, NOTE);
  writeFileSync(join(directory, 'tiny.md'), 'Short.\n');

  const [capped, single, perDocument] = await Promise.all([
    runCli(['faq', '--questions', '10000', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
    runCli(['faq', note, '--questions', '8', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
    runCli(['faq', directory, '--per-document', '--questions', '8', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
  ]);

  expect([capped, single, perDocument].map((result) => result.code)).toEqual([2, 2, 2]);
  expect(capped.stderr).toBe('braid: --questions 10000 is more than one FAQ asks for (at most 50); split the documents into several FAQs\n');
  expect(single.stderr).toBe('braid: --questions 8 is more than the documents can carry: 150 characters hold at most 7 (one question per 20 characters)\n');
  expect(perDocument.stderr).toBe(`braid: --questions 8 is more than any document can carry: the largest, ${note}, holds at most 7 (one question per 20 characters)\n`);
  expect(fake.server.stats().requests).toBe(0);
});

test('within the bound the run goes ahead: --per-document is bounded by the largest document, not the smallest', async () => {
  const directory = makeTempDirectory();
  writeFileSync(join(directory, 'kettle.md'), NOTE);
  writeFileSync(join(directory, 'tiny.md'), 'Short.\n');

  const result = await runCli(['faq', directory, '--per-document', '--questions', '7', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect(fake.server.stats().requests).toBeGreaterThan(0);
});
