import { existsSync } from 'node:fs';
import { describe, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createEvalReport, createRuntime, evaluate, startViewer, type EvalReport, type Run, type Scorer, type Span } from '../../src/index.js';
import { startFakeProvider, type FakeRule } from '../fake-provider/index.js';
import { CHROMIUM, useChromium } from '../support/use-chromium.js';
import { modelOn, QUICK_RETRY } from '../support/wire-models.js';

const INJECTED = '<img src=x onerror="window.__pwned=1">Lima is <b>not</b> it';
const SCREENSHOT = '/tmp/braid-eval-report.png';

const Capital = z.object({ city: z.string() });
const Verdict = z.object({ reason: z.string(), verdict: z.enum(['yes', 'no']) });
const DATA = [
  { input: 'France', expected: 'Paris' },
  { input: 'Peru', expected: 'Lima' },
  { input: 'Chile', expected: 'Santiago' },
];

const capitalOf = (country: string, run: Run) => run.step({ name: 'capital', prompt: `Capital of ${country}?`, schema: Capital }).then(({ city }) => city);
const exact: Scorer<string, string, string> = { name: 'exact', score: ({ output, expected }) => output === expected };
const judged: Scorer<string, string, string> = {
  name: 'plausible',
  score: async ({ input, output, run }) => {
    const { verdict, reason } = await run.step({ name: 'judge', prompt: `Judge: is ${output} the capital of ${input}?`, schema: Verdict });
    return { score: verdict === 'yes' ? 1 : 0, reason };
  },
};

function rules(peru: string): FakeRule[] {
  return [
    { match: 'Capital of France?', json: { city: 'Paris' } },
    { match: 'Capital of Peru?', json: { city: peru } },
    { match: 'Capital of Chile?', json: { city: 'Santiago' } },
    { match: 'Judge: is Cusco', json: { reason: INJECTED, verdict: 'no' } },
    { match: 'Judge:', json: { reason: 'It is the capital.', verdict: 'yes' } },
  ];
}

/** A real eval and its baseline on the fake provider: Peru's answer changed, so its case regressed. */
async function recordEval(): Promise<{ report: EvalReport; spans: readonly Span[] }> {
  const server = await startFakeProvider({ rules: rules('Lima') });
  onTestFinished(() => server.close());
  const model = modelOn('openai', server);
  const facts = { kind: 'capitals', dataset: 'capitals.jsonl', model: 'openai:test-model', judge: 'openai:test-model' };
  const baseline = createEvalReport(await evaluate(createRuntime({ model, retry: QUICK_RETRY }), { data: DATA, task: capitalOf, scorers: [exact, judged] }), {
    id: 'the-baseline',
    ...facts,
  });
  server.configure({ rules: rules('Cusco') });
  const run = createRuntime({ model, retry: QUICK_RETRY, runId: 'eval-in-browser', name: 'eval-capitals' });
  const result = await evaluate(run, { data: DATA, task: capitalOf, scorers: [exact, judged] });
  run.finish();
  const report = createEvalReport(result, { id: run.runId, ...facts, baseline, thresholds: { exact: 0.9 }, maxRegressions: 0 });
  return { report, spans: run.spans() };
}

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the eval report's browser tests: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!hasChromium)('the eval report page in Chromium', () => {
  const { openPage } = useChromium({ viewport: { width: 1360, height: 900 } });

  test('cases render with their scores, the regressed case is marked and first, reasons are text, and a case opens its timeline', async () => {
    const { report, spans } = await recordEval();
    const viewer = await startViewer({ spans, evaluation: report });
    onTestFinished(() => viewer.close());
    const { page, problems } = await openPage(new URL('eval', viewer.url).href);

    expect(await page.textContent('#eval-title')).toBe('eval capitals on capitals.jsonl');
    expect(await page.getAttribute('#gate', 'data-status')).toBe('failed');
    expect(await page.textContent('#gate')).toBe('Gate failed: exact 0.667 < 0.9; 1 case regressed (at most 0 allowed)');
    expect(await page.locator('#scorers tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-scorer')))).toEqual(['exact', 'plausible']);
    expect(await page.locator('#scorers tr[data-scorer="exact"] td').allTextContents()).toEqual(['exact', '66.7%', '3', '0', '≥ 90.0% · failed', '100.0%', '-33.3%']);

    // every case renders, what moved first
    const cases = page.locator('#cases .case');
    expect(await cases.count()).toBe(3);
    expect(await cases.evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('data-change'), node.querySelector('.case-label')!.textContent]))).toEqual([
      ['regressed', 'Peru'],
      ['unchanged', 'France'],
      ['unchanged', 'Chile'],
    ]);
    const peru = page.locator('#cases .case[data-change="regressed"]');
    expect(await peru.locator('summary .badge').textContent()).toBe('regressed');
    expect(await peru.evaluate((node) => node.classList.contains('change-regressed'))).toBe(true);
    expect(await peru.locator('summary [data-scorer="exact"]').textContent()).toBe('0.0%');

    // its trial: the output, each score and the judge's reason, as text
    await peru.locator('summary').click();
    expect(await peru.locator('.trial pre.output').textContent()).toBe('Cusco');
    expect(await peru.locator('.trial tr[data-scorer="plausible"] .reason').textContent()).toBe(INJECTED);
    expect(await page.locator('img, #cases script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // one click to the case's timeline: its task step and its judge step, nothing of the other cases
    await peru.locator('summary a.timeline').click();
    await page.waitForURL(/\/\?scope=/);
    await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined, undefined, { timeout: 20_000 });
    const peruCase = report.cases.find((item) => item.label === 'Peru')!;
    const rows = await page.locator('#step-rows .step-row').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-span-id')));
    const expected = spans.filter((span) => span.kind === 'step' && span.key!.startsWith(`${peruCase.path}/`)).map((span) => span.id);
    expect(rows.sort()).toEqual(expected.sort());
    expect(expected).toHaveLength(2);
    expect(problems).toEqual([]);
  });

  test('the "only notable" filter hides cases at full marks that did not move', async () => {
    const { report, spans } = await recordEval();
    const viewer = await startViewer({ spans, evaluation: report });
    onTestFinished(() => viewer.close());
    const { page } = await openPage(new URL('eval', viewer.url).href);

    await page.check('#only-notable');

    expect(await page.locator('#cases .case:visible').evaluateAll((nodes) => nodes.map((node) => node.querySelector('.case-label')!.textContent))).toEqual(['Peru']);
  });
});

test('a viewer without an eval answers 404 at /eval and /api/eval', async () => {
  const viewer = await startViewer({ spans: [] });
  onTestFinished(() => viewer.close());
  expect((await fetch(new URL('eval', viewer.url))).status).toBe(404);
  expect((await fetch(new URL('api/eval', viewer.url))).status).toBe(404);
});
