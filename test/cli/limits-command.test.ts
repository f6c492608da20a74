import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { openLimitsFile, type Span } from '../../src/index.js';
import { startFakeProvider, type StartFakeProviderOptions } from '../fake-provider/index.js';
import { makeTempDirectory, runCli, stderrLines } from '../support/run-cli.js';

async function fakeServer(options: StartFakeProviderOptions) {
  const server = await startFakeProvider({ seed: 5, ...options });
  onTestFinished(() => server.close());
  return server;
}

function faqArgs(baseURL: string, extra: string[] = []): string[] {
  return ['faq', '--questions', '3', '--json', '--model', 'openai:gpt-4.1-mini', '--base-url', baseURL, ...extra];
}

// five braid processes one after another: room for a busy machine
test('braid limits shows what a run learned from the rate headers, from where and when; --forget forgets it', { timeout: 150_000 }, async () => {
  const home = makeTempDirectory();
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home };
  const server = await fakeServer({ rpm: 50, tpm: 90_000 });
  expect((await runCli(faqArgs(server.openaiBaseURL), { env })).code).toBe(0);

  const shown = await runCli(['limits', '--json'], { env });
  expect(shown.code).toBe(0);
  const json = JSON.parse(shown.stdout) as { path: string; models: Record<string, { requests?: { perWindow?: number; source: string; learnedAt: string } }> };
  expect(json.path).toBe(`${home}/limits.json`);
  expect(json.models['openai:gpt-4.1-mini']).toMatchObject({
    requests: { perWindow: 50, source: 'headers', learnedAt: expect.stringMatching(/^\d{4}-/) },
    tokens: { perWindow: 90_000, source: 'headers' },
  });

  const table = await runCli(['limits'], { env });
  expect(table.stdout).toMatch(/^MODEL\s+BUDGET\s+LIMIT\s+SOURCE\s+LEARNED$/m);
  expect(table.stdout).toMatch(/^openai:gpt-4\.1-mini\s+requests\s+50 requests per minute\s+headers x-ratelimit-limit-requests\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);

  const unknown = await runCli(['limits', 'google:gemini-2.5-flash'], { env });
  expect(unknown.code).toBe(1);
  expect(stderrLines(unknown)).toEqual(['braid: nothing learned about google:gemini-2.5-flash yet (known: openai:gpt-4.1-mini)']);

  expect((await runCli(['limits', '--forget'], { env })).code).toBe(0);
  expect(openLimitsFile(join(home, 'limits.json')).list()).toEqual({});
});

test('a spent daily quota ends the run at once with exit 1 and one line naming it; resume completes it later', { timeout: 150_000 }, async () => {
  const home = makeTempDirectory();
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home };
  const server = await fakeServer({ rpd: 3, latencyMs: 100 });

  const trace = join(home, 'trace.jsonl');
  const stopped = await runCli(faqArgs(server.openaiBaseURL, ['--run-id', 'daily', '--trace', trace]), { env });
  expect(stopped.code).toBe(1);
  const quotaLines = stderrLines(stopped).filter((line) => line.includes('quota'));
  expect(quotaLines).toHaveLength(1);
  expect(quotaLines[0]).toMatch(
    /^braid: the quota of openai:gpt-4\.1-mini is exhausted: requests per day \(RPD\), 3 requests per day; it resets at \d{4}-\d\d-\d\dT\S+ \(in .+\)\. Finished steps are kept: resume the run then$/,
  );
  // no item-by-item failures; no call started once the 429 was in, and the calls in flight were let finish
  expect(stderrLines(stopped).filter((line) => line.startsWith('braid: failed'))).toEqual([]);
  const attempts = readFileSync(trace, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Span).filter((span) => span.kind === 'attempt');
  const quotaSeenAt = Math.min(...attempts.filter((attempt) => attempt.rateLimited).map((attempt) => attempt.end));
  expect(attempts.filter((attempt) => attempt.start > quotaSeenAt)).toEqual([]);
  const statuses = server.stats().timeline.map((request) => request.status);
  expect(statuses.filter((status) => status !== 429).every((status) => status === 200)).toBe(true);

  // the next day: the quota is back
  server.configure({ rpd: undefined });
  const resumed = await runCli(['resume', 'daily'], { env });
  expect(resumed.code).toBe(0);
  const output = JSON.parse(resumed.stdout) as { faqs: unknown[]; summary: { replayedSteps: number } };
  expect(output.faqs).toHaveLength(3);
  expect(output.summary.replayedSteps).toBeGreaterThanOrEqual(3);

  const limits = JSON.parse((await runCli(['limits', '--json'], { env })).stdout) as { models: Record<string, { exhaustedQuota?: unknown }> };
  expect(limits.models['openai:gpt-4.1-mini']?.exhaustedQuota).toMatchObject({ name: 'requests per day (RPD)', limit: 3, unit: 'requests' });
});
