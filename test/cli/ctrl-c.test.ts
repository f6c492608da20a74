import { expect, test, vi } from 'vitest';
import type { TimelineEntry } from '../fake-provider/index.js';
import { PROGRESS_ESCAPES, startCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

/** Far longer than the test may take: the child can only end early by cancelling. */
const STALL_MS = 600_000;
const WAIT = { timeout: 20_000, interval: 25 };

function requestsWith(text: string): TimelineEntry[] {
  return fake.server.stats().timeline.filter((entry) => entry.prompt.includes(text));
}

test('Ctrl-C while the answers are in flight stops them, says what finished, and exits 130', async () => {
  fake.server.configure({ latencyMs: 200, rules: [{ match: 'Answer this question', delayMs: STALL_MS }] });
  const cli = startCli(['faq', '--questions', '2', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  await vi.waitFor(() => expect(requestsWith('Answer this question')).toHaveLength(2), WAIT);
  cli.child.kill('SIGINT');
  const result = await cli.result;

  expect(result.code, result.stderr).toBe(130);
  expect(result.stderr).toContain('braid: cancelling; in-flight calls are being stopped');
  expect(result.stderr).toContain('braid: the run was cancelled');
  // the questions step finished; the two answers did not
  expect(result.stderr).toMatch(/^braid: 1 of 3 steps finished · /m);
  expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
  // the child hung up on the stalled requests instead of waiting for them
  await vi.waitFor(() => {
    const answers = requestsWith('Answer this question');
    expect(answers.map((entry) => ({ status: entry.status, hasEnded: entry.end > 0 }))).toEqual([
      { status: 0, hasEnded: true },
      { status: 0, hasEnded: true },
    ]);
  }, WAIT);
});

test('Ctrl-C in a batch prints the lines that finished, then exits 130', async () => {
  fake.server.configure({ rules: [{ match: 'Query: second', delayMs: STALL_MS }] });
  const cli = startCli(['route', '--batch', '-', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV, input: 'first\nsecond\nthird\n' });

  // both quick queries answered (classify + respond each), the slow classification still waiting
  await vi.waitFor(() => {
    const finished = fake.server.stats().timeline.filter((entry) => entry.status === 200);
    expect(finished).toHaveLength(4);
    expect(requestsWith('Query: second')).toHaveLength(1);
  }, WAIT);
  cli.child.kill('SIGINT');
  const result = await cli.result;

  expect(result.code, result.stderr).toBe(130);
  const lines = result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines.map((line) => line.query)).toEqual(['first', 'second', 'third']);
  expect(lines[0]).toHaveProperty('response');
  expect(lines[1]).toEqual({ query: 'second', error: 'the run was cancelled' });
  expect(lines[2]).toHaveProperty('response');
  expect(result.stderr).toMatch(/^braid: 4 of 5 steps finished/m);
});

test('Ctrl-C on faq --per-document --json prints the documents that finished with their FAQs, the rest as cancelled', async () => {
  // the wind turbines document never gets its questions; the other two finish
  fake.server.configure({ rules: [{ match: /title="Understanding Wind Turbines"[\s\S]*distinct questions/, delayMs: STALL_MS }] });
  const cli = startCli(['faq', 'samples/', '--per-document', '--questions', '1', '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  // each finished document made three calls (questions, answer, sources); the stalled one, one
  await vi.waitFor(() => {
    expect(fake.server.stats().timeline.filter((entry) => entry.status === 200)).toHaveLength(6);
    expect(requestsWith('title="Understanding Wind Turbines"')).toHaveLength(1);
  }, WAIT);
  cli.child.kill('SIGINT');
  const result = await cli.result;

  expect(result.code, result.stderr).toBe(130);
  const { documents } = JSON.parse(result.stdout) as { documents: { file: string; faqs: unknown[]; error?: string }[] };
  const byFile = Object.fromEntries(documents.map((document) => [document.file.split('/').pop(), document]));
  expect(byFile['benefits-of-solar-energy.md']?.faqs).toHaveLength(1);
  expect(byFile['energy-storage-solutions.md']?.faqs).toHaveLength(1);
  expect(byFile['understanding-wind-turbines.md']).toMatchObject({ faqs: [], error: 'the run was cancelled' });
});
