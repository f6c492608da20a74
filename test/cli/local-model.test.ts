import { testModelFile } from '../support/test-model-file.js';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { PROGRESS_ESCAPES, runCli, stderrLines } from '../support/run-cli.js';

// random weights: the text is gibberish, so only the structure is asserted
const TEST_MODEL = testModelFile();
const SAMPLE_TITLES = ['The Benefits of Solar Energy', 'Energy Storage Solutions', 'Understanding Wind Turbines'];
const Output = z.object({
  faqs: z.array(z.object({ question: z.string().min(1), answer: z.string().min(1), sources: z.array(z.string()).min(1) })),
  summary: z.object({ calls: z.number().int(), inputTokens: z.number().int(), outputTokens: z.number().int(), costUsd: z.number() }),
});

// CPU-heavy: the suite's one run of the embedded model
test('braid faq --questions 2 --json --model local: exactly 2 FAQs citing only the sample titles', { timeout: 300_000 }, async () => {
  const result = await runCli(['faq', '--questions', '2', '--json', '--model', 'local'], { env: { BRAID_LOCAL_MODEL: TEST_MODEL } });

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.faqs).toHaveLength(2);
  for (const faq of output.faqs) for (const source of faq.sources) expect(SAMPLE_TITLES).toContain(source);
  // questions, then an answer and its sources per question, at least; a local model costs nothing
  expect(output.summary.calls).toBeGreaterThanOrEqual(5);
  expect(output.summary.outputTokens).toBeGreaterThan(0);
  expect(output.summary.costUsd).toBe(0);
  expect(stderrLines(result)).toEqual([]);
  expect(result.stderr).toMatch(/^braid: run \S+ \(local\)\n$/);
  expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
});
