import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createModel, createRuntime, findCriticalPath, type Span } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { CHROMIUM, useChromium } from '../support/use-chromium.js';
import { modelOn } from '../support/wire-models.js';
import { readTraceFile } from '../../src/core/read-trace-file.js';
import { startViewer } from '../../src/viewer/start-viewer.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/viewer-run.trace.jsonl', import.meta.url));
const INJECTED = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
const SCREENSHOT = '/tmp/braid-viewer.png';

async function openViewer(spans: readonly Span[], title?: string) {
  const viewer = await startViewer({ spans, title });
  onTestFinished(() => viewer.close());
  return viewer;
}

describe('the viewer server', () => {
  test('serves the page on loopback with a strict content security policy', async () => {
    const viewer = await openViewer(await readTraceFile(FIXTURE));
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(viewer.url);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(await response.text()).not.toContain('__pwned');
  });

  test('serves the spans as JSON from their own endpoint, and the chart library from node_modules', async () => {
    const spans = await readTraceFile(FIXTURE);
    const viewer = await openViewer(spans, 'city guide');
    const data = (await (await fetch(new URL('/api/run', viewer.url))).json()) as { title: string; spans: Span[]; criticalPath: unknown };
    expect(data.title).toBe('city guide');
    expect(data.spans).toEqual(spans);
    expect(data.criticalPath).toEqual(findCriticalPath(spans));
    const library = await fetch(new URL('/vendor/echarts.min.js', viewer.url));
    expect(library.headers.get('content-type')).toContain('javascript');
    expect((await library.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(new URL('/nothing-here', viewer.url))).status).toBe(404);
    expect((await fetch(viewer.url, { method: 'POST' })).status).toBe(405);
  });

  test('refuses requests for another host name (DNS rebinding)', async () => {
    const viewer = await openViewer(await readTraceFile(FIXTURE));
    const { port } = new URL(viewer.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const call = request({ host: '127.0.0.1', port, path: '/api/run', headers: { host: `evil.example:${port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      call.on('error', reject);
      call.end();
    });
    expect(status).toBe(421);
  });
});

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the viewer's browser tests: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!hasChromium)('the viewer page in Chromium', () => {
  const { openPage } = useChromium();

  /** Clicks the middle of a span's bar on the chart canvas, like a person would. */
  async function clickBar(page: Page, spans: readonly Span[], span: Span): Promise<void> {
    const t0 = Math.min(...spans.map((candidate) => candidate.start));
    const stepId = span.kind === 'attempt' ? span.parentId : span.id;
    const row = Number(await page.locator(`#step-rows .step-row[data-span-id="${stepId}"]`).getAttribute('data-row'));
    const middle = (span.start + span.end) / 2 - t0;
    const [x, y] = await page.evaluate(
      ([value, rowIndex]) => {
        const chartElement = document.getElementById('chart')!;
        const chart = (window as unknown as { echarts: { getInstanceByDom(element: HTMLElement): { convertToPixel(finder: object, value: number[]): number[] } } }).echarts.getInstanceByDom(chartElement);
        const [pixelX, pixelY] = chart.convertToPixel({ seriesId: 'bars' }, [value, rowIndex]);
        const box = chartElement.getBoundingClientRect();
        return [box.left + pixelX!, box.top + pixelY!];
      },
      [middle, row] as const,
    );
    await page.mouse.click(x, y);
  }

  test('draws every step and attempt, marks the critical path, and shows a clicked step literally', async () => {
    const spans = await readTraceFile(FIXTURE);
    const viewer = await openViewer(spans);
    const { page, problems } = await openPage(viewer.url);

    const steps = spans.filter((span) => span.kind === 'step');
    const attempts = spans.filter((span) => span.kind === 'attempt');
    const waits = attempts.filter((span) => (span.waitMs ?? 0) > 0).length;
    const backoffs = attempts.filter((span) => (span.backoffMs ?? 0) > 0).length;
    expect(backoffs).toBeGreaterThan(0); // the fixture must keep its 429 retry
    expect(await page.getAttribute('#chart', 'data-rows')).toBe(String(steps.length));
    expect(await page.getAttribute('#chart', 'data-bars')).toBe(String(steps.length + attempts.length + waits + backoffs));
    expect(await page.locator('#step-rows .step-row').count()).toBe(steps.length);

    // the canvas really has bars in the attempt, 429, backoff and critical-path colours
    const drawn = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#chart canvas')!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const counts = { ok: 0, rateLimited: 0, backoff: 0, critical: 0 };
      const near = (index: number, [red, green, blue]: number[]) =>
        Math.abs(pixels[index]! - red!) < 6 && Math.abs(pixels[index + 1]! - green!) < 6 && Math.abs(pixels[index + 2]! - blue!) < 6;
      for (let index = 0; index < pixels.length; index += 4) {
        if (near(index, [59, 130, 246])) counts.ok += 1;
        if (near(index, [249, 115, 22])) counts.rateLimited += 1;
        if (near(index, [225, 29, 72])) counts.backoff += 1;
        if (near(index, [124, 58, 237])) counts.critical += 1;
      }
      return counts;
    });
    expect(drawn.ok).toBeGreaterThan(100);
    expect(drawn.rateLimited).toBeGreaterThan(20);
    expect(drawn.backoff).toBeGreaterThan(10);
    expect(drawn.critical).toBeGreaterThan(20);
    expect(await page.locator('#legend [data-legend]').evaluateAll((items) => items.map((item) => item.getAttribute('data-legend')))).toEqual(
      expect.arrayContaining(['ok', 'failed', 'rate-limited', 'wait', 'backoff', 'critical']),
    );

    const stepIds = new Set(steps.map((span) => span.id));
    const criticalSteps = findCriticalPath(spans).ids.filter((id) => stepIds.has(id));
    expect(criticalSteps.length).toBeGreaterThan(1);
    expect(await page.locator('#critical-path li').evaluateAll((items) => items.map((item) => item.getAttribute('data-span-id')))).toEqual(criticalSteps);
    expect(await page.locator('[data-total="Retries"] .value').textContent()).toBe('1');
    expect(await page.locator('[data-total="429s"] .value').textContent()).toBe('1');

    const oslo = steps.find((span) => span.prompt?.includes('Oslo'))!;
    const osloAttempt = attempts.find((span) => span.parentId === oslo.id)!;
    await clickBar(page, spans, osloAttempt);
    await expect.poll(() => page.getAttribute('#detail', 'data-span-id')).toBe(oslo.id);
    expect(await page.locator('#detail [data-field="prompt"]').textContent()).toBe('Describe Oslo in one line.');
    expect(await page.locator('#detail [data-field="output"]').textContent()).toContain(INJECTED);
    expect(await page.locator('#detail script, #detail img').count()).toBe(0);
    await page.mouse.move(1, 1); // no tooltip over the bars in the picture
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // the retried step, picked from the step list: both attempts, the 429 and its backoff
    const lisbon = steps.find((span) => span.prompt?.includes('Lisbon'))!;
    await page.locator(`#step-rows .step-row[data-span-id="${lisbon.id}"]`).click();
    await expect.poll(() => page.getAttribute('#detail', 'data-span-id')).toBe(lisbon.id);
    expect(await page.locator('#detail table.attempts tbody .badge').allTextContents()).toEqual(['429', 'ok']);
    expect(await page.locator('#detail dl').textContent()).toContain('Backoff400 ms');

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  test("rows name each item by its label (a document's title, a query's first words), as text", async () => {
    const server = await startFakeProvider();
    onTestFinished(() => server.close());
    const runtime = createRuntime({ model: createModel('openai:gpt-4o-mini', { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } }) });
    const documents = [{ title: 'Solar basics' }, { title: '<b>Wind</b> & storage' }];
    await runtime.group('faq', (faq) =>
      faq.parallel(documents, (document, part) => part.step({ name: 'questions', prompt: `Questions about ${document.title}` }), { name: 'part', label: (document) => document.title }),
    );
    runtime.finish();
    const viewer = await openViewer(runtime.spans());
    const { page, problems } = await openPage(viewer.url);

    const labels = await page.locator('#step-rows .step-row > span:nth-child(2)').allTextContents();
    expect(labels.sort()).toEqual(['part[0] Solar basics › questions', 'part[1] <b>Wind</b> & storage › questions']);
    const wind = page.locator('#step-rows .step-row', { hasText: 'Wind' });
    await wind.click();
    expect(await page.locator('#detail .path').textContent()).toBe('faq › part[1] <b>Wind</b> & storage › questions');
    expect(await page.locator('#detail b, #step-rows b').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  test("a streamed step's detail shows its time to first token; a step that waited for its answer shows none", async () => {
    const server = await startFakeProvider({ latencyPerTokenMs: 3 });
    onTestFinished(() => server.close());
    const braid = createRuntime({ model: modelOn('openai', server) });
    await braid.stream({ name: 'streamed', prompt: 'Describe Oslo in one line.' }).value;
    await braid.step({ name: 'waited', prompt: 'Describe Lisbon in one line.' });
    braid.finish();
    const spans = braid.spans();
    const streamed = spans.find((span) => span.kind === 'step' && span.name === 'streamed')!;
    const waited = spans.find((span) => span.kind === 'step' && span.name === 'waited')!;
    const viewer = await openViewer(spans);
    const { page, problems } = await openPage(viewer.url);

    await page.locator(`#step-rows .step-row[data-span-id="${streamed.id}"]`).click();
    await expect.poll(() => page.getAttribute('#detail', 'data-span-id')).toBe(streamed.id);
    const firstToken = streamed.firstTokenMs!;
    expect(await page.locator('#detail dl').textContent()).toContain(`First token${firstToken < 1000 ? `${firstToken} ms` : `${(firstToken / 1000).toFixed(2)} s`}`);
    await page.locator(`#step-rows .step-row[data-span-id="${waited.id}"]`).click();
    await expect.poll(() => page.getAttribute('#detail', 'data-span-id')).toBe(waited.id);
    expect(await page.locator('#detail dl').textContent()).not.toContain('First token');
    expect(problems).toEqual([]);
  });

  test('renders a 5,000-step run', async () => {
    const spans = generateRun(5_000);
    const viewer = await openViewer(spans, 'generated 5,000-step run');
    const { page, problems } = await openPage(viewer.url);
    expect(await page.getAttribute('#chart', 'data-rows')).toBe('5000');
    expect(await page.locator('#step-rows .step-row').count()).toBe(5_000);
    const stepIds = new Set(spans.filter((span) => span.kind === 'step').map((span) => span.id));
    const criticalSteps = findCriticalPath(spans).ids.filter((id) => stepIds.has(id));
    expect(await page.locator('#critical-path li').count()).toBe(criticalSteps.length);

    expect(await page.isChecked('#fit-time')).toBe(true);
    expect(await page.textContent('#row-range')).toBe('rows 1–24 of 5,000');

    // a step far down the list scrolls into the chart (its row band is drawn) and opens
    expect(await countPixels(page, SELECTED_BAND)).toBe(0);
    const picked = await page.locator('#step-rows .step-row').nth(4_990).getAttribute('data-span-id');
    await page.locator('#step-rows .step-row').nth(4_990).click();
    await expect.poll(() => page.getAttribute('#detail', 'data-span-id')).toBe(picked);
    await expect.poll(() => countPixels(page, SELECTED_BAND)).toBeGreaterThan(1_000);
    const [first, last] = (await page.textContent('#row-range'))!.match(/[\d,]+/g)!.map((text) => Number(text.replaceAll(',', '')));
    expect(first).toBeLessThanOrEqual(4_991);
    expect(last).toBeGreaterThanOrEqual(4_991);
    await page.locator('.timeline-panel').screenshot({ path: '/tmp/braid-viewer-5000.png' });
    expect(problems).toEqual([]);
  });
});

const SELECTED_BAND = [254, 243, 199];

/** How many pixels of the chart's canvas have this colour. */
function countPixels(page: Page, [red, green, blue]: number[]): Promise<number> {
  return page.evaluate(
    ([r, g, b]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('#chart canvas')!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let index = 0; index < pixels.length; index += 4) {
        if (Math.abs(pixels[index]! - r!) < 3 && Math.abs(pixels[index + 1]! - g!) < 3 && Math.abs(pixels[index + 2]! - b!) < 3) count += 1;
      }
      return count;
    },
    [red, green, blue],
  );
}

/** A fan-out of `count` steps through a limiter, with a retry after a 429 on every 25th. */
function generateRun(count: number): Span[] {
  const start = 1_800_000_000_000;
  const spans: Span[] = [{ id: 'run', runId: 'big', kind: 'run', name: 'big', start, end: start + 1, status: 'ok' }];
  let end = start;
  for (let index = 0; index < count; index += 1) {
    const stepStart = start + Math.floor(index / 8) * 300;
    const id = `step-${index}`;
    const first = { start: stepStart + 40, end: stepStart + 240 + (index % 7) * 20 };
    const isRetried = index % 25 === 0;
    spans.push({
      id: `${id}.1`, parentId: id, runId: 'big', kind: 'attempt', name: 'answer', model: 'openai:gpt-4o-mini',
      start: first.start, end: isRetried ? first.start + 30 : first.end, status: isRetried ? 'error' : 'ok', waitMs: 40,
      rateLimited: isRetried || undefined, httpStatus: isRetried ? 429 : 200, inputTokens: 120, outputTokens: 40,
    });
    let stepEnd = isRetried ? first.start + 30 : first.end;
    if (isRetried) {
      const retry = { start: stepEnd + 500, end: stepEnd + 700 };
      spans.push({
        id: `${id}.2`, parentId: id, runId: 'big', kind: 'attempt', name: 'answer', model: 'openai:gpt-4o-mini',
        start: retry.start, end: retry.end, status: 'ok', backoffMs: 450, waitMs: 50, inputTokens: 120, outputTokens: 40,
      });
      stepEnd = retry.end;
    }
    spans.push({
      id, parentId: `item-${index}`, runId: 'big', kind: 'step', name: 'answer', model: 'openai:gpt-4o-mini',
      start: stepStart, end: stepEnd, status: 'ok', attempts: isRetried ? 2 : 1,
      prompt: `Question ${index}: what is <b>${index}</b>?`, output: `Answer ${index}`,
    });
    spans.push({ id: `item-${index}`, parentId: 'run', runId: 'big', kind: 'group', name: `answers[${index}]`, start: stepStart, end: stepEnd, status: 'ok' });
    end = Math.max(end, stepEnd);
  }
  spans[0]!.end = end;
  return spans;
}
