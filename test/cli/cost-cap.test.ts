import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { FakeRule } from '../fake-provider/index.js';
import { useSharedFakeProvider } from '../support/shared-fake-provider.js';
import { makeTempDirectory, runCli, stderrLines } from '../support/run-cli.js';

const fake = useSharedFakeProvider();

// fixed answers, so every run of the FAQ costs the same to the token
const RULES: FakeRule[] = [
  { match: /distinct questions/, json: { questions: ['Why do robins sing in winter?', 'Where do swifts sleep?', 'What do starlings eat?'] } },
  { match: /Which documents support/, json: { sources: ['European birds'] } },
  { match: /Answer this question/, json: { answer: 'They hold their territory all year, as the text says.' } },
];

interface FaqOutput {
  faqs: { question: string }[];
  failures?: { question: string; error: string }[];
  summary: { costUsd: number };
}

async function faq(maxCost?: number, extra: string[] = []) {
  const home = makeTempDirectory();
  const document = join(home, 'birds.md');
  writeFileSync(document, `# European birds\n\n${'The robin sings in winter to hold its territory. Swifts sleep on the wing. Starlings eat insects. '.repeat(20)}\n`);
  const args = ['faq', document, '-q', '3', '--json', '--concurrency', '3', ...fake.openaiArgs(), ...(maxCost === undefined ? [] : ['--max-cost', String(maxCost)]), ...extra];
  return runCli(args, { env: { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home } });
}

test('a run whose real cost is under --max-cost finishes, even with calls in flight at once', async () => {
  fake.server.configure({ rules: RULES });
  const uncapped = await faq();
  expect(uncapped.code, uncapped.stderr).toBe(0);
  const cost = (JSON.parse(uncapped.stdout) as FaqOutput).summary.costUsd;
  expect(cost).toBeGreaterThan(0);

  // 7 % of headroom, as in the report that found the cap unusable ($0.0056 under $0.006)
  const capped = await faq(cost * 1.07);
  expect(capped.code, capped.stderr).toBe(0);
  const output = JSON.parse(capped.stdout) as FaqOutput;
  expect(output.faqs).toHaveLength(3);
  expect(output.summary.costUsd).toBeLessThanOrEqual(cost * 1.07);
});

test('a run stopped by --max-cost prints what it completed, and says why the rest did not run', async () => {
  fake.server.configure({ rules: RULES });
  const uncapped = await faq();
  const cost = (JSON.parse(uncapped.stdout) as FaqOutput).summary.costUsd;

  // enough for the questions and some answers, not for all of them
  const capped = await faq(cost * 0.6);
  expect(capped.code).toBe(1);
  const output = JSON.parse(capped.stdout) as FaqOutput;
  expect(output.faqs.length).toBeLessThan(3);
  expect(output.faqs.length + (output.failures?.length ?? 0)).toBe(3);
  expect(output.failures?.every((failure) => /cost cap reached/.test(failure.error))).toBe(true);
  expect(output.summary.costUsd).toBeLessThanOrEqual(cost * 0.6);
  expect(stderrLines(capped).some((line) => /cost cap reached/.test(line))).toBe(true);
});

test('--max-cost on a model braid has no price for is a usage error before any call; --prices gives it one', async () => {
  fake.server.configure({ rules: RULES });
  const unpriced = await faq(1, ['--model', 'openai:house-model']);
  expect(unpriced.code).toBe(2);
  expect(stderrLines(unpriced)).toEqual([expect.stringMatching(/^braid: --max-cost needs a price for openai:house-model: give it with --prices FILE/)]);
  expect(fake.server.stats().requests).toBe(0);

  const prices = join(makeTempDirectory(), 'prices.json');
  writeFileSync(prices, JSON.stringify({ 'openai:house-model': { input: 0.5, output: 1 } }));
  const priced = await faq(1, ['--model', 'openai:house-model', '--prices', prices]);
  expect(priced.code, priced.stderr).toBe(0);
  expect((JSON.parse(priced.stdout) as FaqOutput).summary.costUsd).toBeGreaterThan(0);
});
