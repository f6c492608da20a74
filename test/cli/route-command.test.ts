import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { makeTempDirectory, PROGRESS_ESCAPES, runCli, stderrLines } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const DEFAULT_INTENTS = ['Technical Support', 'Billing Inquiry', 'General Question'];
const Routed = z.strictObject({ intent: z.string(), response: z.string().min(1), fellBack: z.literal(true).optional() });
const BatchLine = z.object({ query: z.string(), intent: z.string().optional(), response: z.string().optional(), error: z.string().optional() });

/** Scripts the classifier's answer for one query. */
function classifyAs(query: string, intent: string, extra: { delayMs?: number } = {}) {
  return { match: new RegExp(`Classify customer queries[\\s\\S]*Query: ${query}`), json: { intent }, ...extra };
}

function jsonLines(stdout: string): z.infer<typeof BatchLine>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => BatchLine.parse(JSON.parse(line)));
}

/** The prompts of the requests that reached the fake and contain `text`. */
function promptsWith(text: string): string[] {
  return fake.server.stats().timeline.map((entry) => entry.prompt).filter((prompt) => prompt.includes(text));
}

test('one query --json: the classified intent, answered by its specialised handler', async () => {
  fake.server.configure({ rules: [classifyAs('I was charged twice for one order', 'Billing Inquiry')] });

  const result = await runCli(['route', 'I was charged twice for one order', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const routed = Routed.parse(JSON.parse(result.stdout));
  expect(routed.intent).toBe('Billing Inquiry');
  expect(routed.fellBack).toBeUndefined();
  const [handler] = promptsWith('You are a billing specialist');
  expect(handler).toContain('I was charged twice for one order');
  expect(fake.server.stats().requests).toBe(2);
  expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
});

test('an unscripted classification is still one of the closed set', async () => {
  const result = await runCli(['route', 'The app crashes on start', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect(DEFAULT_INTENTS).toContain(Routed.parse(JSON.parse(result.stdout)).intent);
});

test('a classification outside the set falls back to General Question after the repairs', async () => {
  fake.server.configure({ rules: [classifyAs('Hello there', 'Astrology')] });

  const result = await runCli(['route', 'Hello there', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect(Routed.parse(JSON.parse(result.stdout))).toMatchObject({ intent: 'General Question', fellBack: true });
  expect(promptsWith('Query: Hello there')).toHaveLength(3); // the classification and its two repairs
  expect(promptsWith('You are a friendly customer service agent')).toHaveLength(1);
});

test('--batch FILE prints one JSON line per query, in input order', async () => {
  const queries = ['My invoice is wrong', 'The router keeps rebooting', 'What are your opening hours?'];
  // the first answer arrives last: the order of the lines must still be the order of the input
  fake.server.configure({
    rules: [
      classifyAs(queries[0]!, 'Billing Inquiry', { delayMs: 400 }),
      classifyAs(queries[1]!, 'Technical Support'),
      classifyAs(queries[2]!, 'General Question'),
    ],
  });
  const file = join(makeTempDirectory(), 'tickets.txt');
  writeFileSync(file, `${queries[0]}\n\n  ${queries[1]}  \r\n${queries[2]}\n`);

  const result = await runCli(['route', '--batch', file, '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const lines = jsonLines(result.stdout);
  expect(lines.map((line) => [line.query, line.intent])).toEqual([
    [queries[0], 'Billing Inquiry'],
    [queries[1], 'Technical Support'],
    [queries[2], 'General Question'],
  ]);
  for (const line of lines) expect(line.response).toBeTruthy();
  // with --json the summary goes to stderr, as JSON, so stdout stays pure JSONL
  const summary = z.object({ summary: z.object({ calls: z.number() }) }).parse(JSON.parse(stderrLines(result).at(-1)!));
  expect(summary.summary.calls).toBe(6);
});

test('--batch - reads the queries from stdin', async () => {
  fake.server.configure({ rules: [classifyAs('Refund me please', 'Billing Inquiry'), classifyAs('Wifi is down', 'Technical Support')] });

  const result = await runCli(['route', '--batch', '-', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV, input: 'Refund me please\nWifi is down\n' });

  expect(result.code, result.stderr).toBe(0);
  expect(jsonLines(result.stdout).map((line) => line.intent)).toEqual(['Billing Inquiry', 'Technical Support']);
  expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
});

test('--batch: a query that fails gets an error line, the others their answers, exit code 1', async () => {
  fake.server.configure({ rules: [{ match: /specialist[\s\S]*Printer on fire$/, status: 400 }, classifyAs('Printer on fire', 'Technical Support')] });

  const result = await runCli(['route', '--batch', '-', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV, input: 'Where is my refund\nPrinter on fire\nWho are you' });

  expect(result.code, result.stderr).toBe(1);
  const lines = jsonLines(result.stdout);
  expect(lines.map((line) => line.query)).toEqual(['Where is my refund', 'Printer on fire', 'Who are you']);
  expect(lines[1]!.error).toMatch(/400/);
  expect(lines[0]!.response).toBeTruthy();
  expect(lines[2]!.response).toBeTruthy();
});

test('--config adds an intent that queries can be routed to, with its own handler prompt', async () => {
  const config = join(makeTempDirectory(), 'intents.json');
  writeFileSync(
    config,
    JSON.stringify({
      intents: [{ name: 'Refund Request', description: 'asks for money back', prompt: 'You handle refunds for Acme. Quote policy R-7.' }],
    }),
  );
  fake.server.configure({ rules: [classifyAs('I want my money back', 'Refund Request')] });

  const result = await runCli(['route', 'I want my money back', '--json', '--config', config, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect(Routed.parse(JSON.parse(result.stdout)).intent).toBe('Refund Request');
  // added to the built-in intents, not replacing them
  const [classifier] = promptsWith('Classify customer queries');
  for (const intent of [...DEFAULT_INTENTS, 'Refund Request']) expect(classifier).toContain(`- ${intent}: `);
  expect(promptsWith('You handle refunds for Acme. Quote policy R-7.')).toHaveLength(1);
});

test('the Gemini wire: --model google:… --base-url reaches the fake with the Google key', async () => {
  fake.server.configure({ rules: [classifyAs('My card was declined', 'Billing Inquiry')] });

  const result = await runCli(['route', 'My card was declined', '--json', '--model', 'google:gemini-2.5-flash', '--base-url', fake.server.geminiBaseURL], {
    env: { GOOGLE_GENERATIVE_AI_API_KEY: 'test-google' },
  });

  expect(result.code, result.stderr).toBe(0);
  expect(Routed.parse(JSON.parse(result.stdout)).intent).toBe('Billing Inquiry');
  expect(fake.server.stats().timeline.map((entry) => [entry.wire, entry.model])).toEqual([
    ['gemini', 'gemini-2.5-flash'],
    ['gemini', 'gemini-2.5-flash'],
  ]);
});
