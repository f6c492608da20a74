import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createModel, openRunStore, startRun, type RunStore } from '../../src/index.js';
import { startConsole, type RunConsole } from '../../src/viewer/start-console.js';
import { makeTempDirectory, REPOSITORY_ROOT, runCli, startCli, type CliProcess } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';
import { CHROMIUM, useChromium } from '../support/use-chromium.js';

const CLI_ENTRY = join(REPOSITORY_ROOT, 'src', 'cli', 'main.ts');
const WORKFLOWS = join(REPOSITORY_ROOT, 'test', 'fixtures', 'waiting-workflows.ts');
// no quotes: the step's output is the JSON the model sent, and JSON would escape them
const INJECTED = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>';
/** The FAQ's sources step: hanging it keeps a run going after its first two steps have finished. */
const SOURCES_PROMPT = 'Which documents support this answer?';
/** A child's wait for its first model call, under a loaded machine. */
const SLOW = { timeout: 60_000 };
/** What the page shows once the store changed: the console polls it, the page redraws at most once a second. */
const SOON = { timeout: 10_000 };

const fake = useSharedFakeProvider();

interface ConsoleFixture {
  console: RunConsole;
  store: RunStore;
  storeFile: string;
}

/** A console over a fresh store, resuming runs with this checkout's CLI; closed when the test ends. */
async function openConsole(): Promise<ConsoleFixture> {
  const directory = makeTempDirectory('braid-console-');
  const storeFile = join(directory, 'runs.db');
  const store = openRunStore(storeFile);
  const home = makeTempDirectory('braid-console-home-');
  const console = await startConsole({
    store,
    storeFile,
    braidCommand: [process.execPath, '--import', 'tsx', CLI_ENTRY],
    // what startCli gives its children: no key or setting of this process, the fake's key
    env: { PATH: process.env.PATH ?? '', HOME: home, BRAID_HOME: join(home, 'braid'), BRAID_OFFLINE: '1', AI_SDK_LOG_WARNINGS: 'false', ...OPENAI_TEST_ENV },
    pollMs: 100,
  });
  onTestFinished(async () => {
    // a resume the console started outlives it by design; one a failed test left running must not
    for (const run of store.listRuns()) {
      const answer = await fetch(new URL(`/api/runs/${encodeURIComponent(run.id)}`, console.url));
      const child = ((await answer.json()) as { child?: { pid: number; exitCode?: number } }).child;
      if (child?.exitCode !== undefined || !child) continue;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // it ended between the two looks
      }
    }
    await console.close();
    store.close();
  });
  return { console, store, storeFile };
}

/** `braid faq` over one sample, one question: three steps (questions, answer, sources). */
function faqArgs(runId: string, storeFile: string): string[] {
  return ['faq', 'samples/benefits-of-solar-energy.md', '--questions', '1', '--run-id', runId, '--store', storeFile, ...fake.openaiArgs(), '--timeout', '600000'];
}

/** Starts a FAQ run whose sources step hangs, and returns once the store says it is running. */
async function startHangingRun(fixture: ConsoleFixture, runId: string): Promise<CliProcess> {
  const child = startCli(faqArgs(runId, fixture.storeFile), { env: OPENAI_TEST_ENV });
  await expect.poll(() => fixture.store.getRun(runId)?.status, SLOW).toBe('running');
  return child;
}

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the console's browser tests: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!hasChromium)('the console in Chromium', () => {
  const chromium = useChromium();
  const { openPage } = chromium;

  /** A run's status as the list shows it (ids are matched as text, never put into a selector). */
  function listedStatus(page: Page, runId: string): Promise<string | undefined> {
    return page.evaluate((id) => Array.from(document.querySelectorAll<HTMLElement>('#run-rows tr.run-row')).find((row) => row.dataset.runId === id)?.dataset.status, runId);
  }

  function isPwned(page: Page): Promise<unknown> {
    return page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);
  }

  test('the list shows a run when it starts and when it ends, without a reload, and a run id with markup stays text', async () => {
    fake.server.configure({ rules: [{ match: SOURCES_PROMPT, fault: 'hang' }] });
    const fixture = await openConsole();
    const { page, problems } = await openPage(fixture.console.url);
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    expect(await page.locator('#runs-empty').textContent()).toContain('No runs yet');

    const markupId = '<img src=x onerror="window.__pwned=3">nightly';
    const hanging = await startHangingRun(fixture, markupId);
    await expect.poll(() => listedStatus(page, markupId), SOON).toBe('running');
    expect(await page.locator('#run-rows tr.run-row a').first().textContent()).toBe(markupId);
    expect(await page.locator('#run-rows img').count()).toBe(0);

    hanging.child.kill('SIGINT');
    expect((await hanging.result).code).toBe(130);
    await expect.poll(() => listedStatus(page, markupId), SOON).toBe('cancelled');

    fake.server.configure({ rules: [] });
    expect((await runCli(faqArgs('quick', fixture.storeFile), { env: OPENAI_TEST_ENV })).code).toBe(0);
    await expect.poll(() => listedStatus(page, 'quick'), SOON).toBe('done');
    expect(await page.locator('#run-rows tr.run-row').count()).toBe(2);

    // the status filter, also without a reload
    await page.locator('#status-filter [data-status="cancelled"]').click();
    expect(await page.locator('#run-rows tr.run-row').count()).toBe(1);
    expect(await listedStatus(page, markupId)).toBe('cancelled');
    expect(new URL(page.url()).search).toBe('?status=cancelled');

    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await isPwned(page)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  test("a run's page follows the run while it goes, shows model text as text, and cancels it", async () => {
    fake.server.configure({
      rules: [
        { match: 'Answer this question', json: { answer: `Solar is cheap. ${INJECTED}` } },
        { match: SOURCES_PROMPT, fault: 'hang' },
      ],
    });
    const fixture = await openConsole();
    const hanging = await startHangingRun(fixture, 'live');
    const { page, problems } = await openPage(fixture.console.runUrl('live'));

    // the questions and the answer finished while the sources call hangs: both are drawn, the run still going
    await expect.poll(() => page.locator('#step-rows .step-row').count(), SLOW).toBe(2);
    expect(await page.getAttribute('#run-status', 'data-status')).toBe('running');
    expect(await page.isVisible('#run-live')).toBe(true);
    expect(await page.getAttribute('#chart', 'data-rows')).toBe('2');

    const answerRow = page.locator('#step-rows .step-row', { hasText: 'answer' });
    await answerRow.click();
    expect(await page.locator('#detail [data-field="output"]').textContent()).toContain(INJECTED);
    expect(await page.locator('#detail script, #detail img').count()).toBe(0);

    await page.locator('#run-actions [data-action="cancel"]').click();
    await expect.poll(() => page.textContent('#run-message'), SOON).toMatch(/^Sent Ctrl-C \(SIGINT\) to process \d+/);
    expect((await hanging.result).code).toBe(130);
    await expect.poll(() => page.getAttribute('#run-status', 'data-status'), SOON).toBe('cancelled');
    // the sources step ended cancelled, and the page drew it; the output that was open stays open
    await expect.poll(() => page.locator('#step-rows .step-row').count(), SOON).toBe(3);
    expect(await page.locator('#step-rows .badge.cancelled').count()).toBe(1);
    expect(await page.locator('#detail [data-field="output"]').textContent()).toContain(INJECTED);
    expect(await page.isVisible('#run-live')).toBe(false);
    expect(await page.locator('#run-actions [data-action="resume"]').count()).toBe(1);

    expect(await isPwned(page)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  test('an interrupted run resumes from its page: its finished steps replay, the rest run, and the page follows it to done', async () => {
    fake.server.configure({ rules: [{ match: SOURCES_PROMPT, fault: 'hang' }] });
    const fixture = await openConsole();
    const killed = await startHangingRun(fixture, 'to-resume');
    await expect.poll(() => fixture.store.runSpans('to-resume').filter((span) => span.kind === 'step').length, SLOW).toBe(2);
    killed.child.kill('SIGKILL');
    await killed.result;
    expect(fixture.store.getRun('to-resume')?.status).toBe('interrupted');

    fake.server.configure({ rules: [] });
    fake.server.reset();
    const { page, problems } = await openPage(fixture.console.runUrl('to-resume'));
    expect(await page.getAttribute('#run-status', 'data-status')).toBe('interrupted');
    await page.locator('#run-actions [data-action="resume"]').click();
    await expect.poll(() => page.textContent('#run-message'), SOON).toMatch(/^Started braid resume \(process \d+\)/);
    await expect.poll(() => page.getAttribute('#run-status', 'data-status'), SLOW).toBe('done');

    // only the sources step went to the model again: the questions and the answer replayed from the journal
    const prompts = fake.server.stats().timeline.map((entry) => entry.prompt);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain(SOURCES_PROMPT);
    // the console's child has ended, cleanly
    await expect.poll(async () => ((await (await fetch(new URL('/api/runs/to-resume', fixture.console.url))).json()) as { child?: { exitCode?: number } }).child?.exitCode, SLOW).toBe(0);
    expect(problems).toEqual([]);
  });

  test('a waiting run is approved from its page: the schema is a form, a wrong answer is refused, the approval completes the run', async () => {
    const fixture = await openConsole();
    // the order number is what a model or a customer wrote: the wait's prompt carries it, as text
    const order = '<b>A-1</b><img src=x onerror=window.__pwned=4>';
    const started = await runCli(['run', WORKFLOWS, JSON.stringify({ order }), '--run-id', 'refund', '--store', fixture.storeFile, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
    expect(started.code).toBe(0);
    expect(fixture.store.getRun('refund')?.status).toBe('waiting');

    const { page, problems } = await openPage(fixture.console.url);
    expect(await listedStatus(page, 'refund')).toBe('waiting');
    expect(await page.locator('#run-rows tr.run-row .waits-cell').textContent()).toBe('approval');
    await page.locator('#run-rows tr.run-row a').click();
    await page.waitForURL(fixture.console.runUrl('refund'));
    await page.waitForFunction(() => document.documentElement.dataset.runStatus === 'waiting');

    const wait = page.locator('#run-waits form.wait');
    expect(await wait.getAttribute('data-wait-name')).toBe('approval');
    expect(await wait.locator('.wait-prompt').textContent()).toBe(`Refund order ${order}?`);
    expect(await page.locator('#run-waits img, #run-waits b').count()).toBe(0);
    // Approval = { approved: boolean, note?: string }: the decision is the two buttons, the note a field
    expect(await wait.locator('[data-action]').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-action')))).toEqual(['approve', 'reject', 'send-json']);
    expect(await wait.locator('textarea[name="note"]').count()).toBe(1);
    await page.mouse.move(1, 1);
    await page.screenshot({ path: '/tmp/braid-console-run.png', fullPage: true });

    // an answer of the wrong shape is refused with the schema's complaint, and the run still waits
    await wait.locator('summary').click();
    await wait.locator('textarea[name="__json"]').fill('{"approved": "yes"}');
    await wait.locator('[data-action="send-json"]').click();
    await expect.poll(() => page.getAttribute('#run-message', 'class'), SOON).toBe('run-message error');
    expect(await page.textContent('#run-message')).toMatch(/does not fit what run refund waits for at .*approval#0; nothing was changed:[\s\S]*approved/);
    expect(fixture.store.getRun('refund')?.status).toBe('waiting');

    fake.server.reset();
    await wait.locator('textarea[name="note"]').fill('fine by <i>me</i>');
    await wait.locator('[data-action="approve"]').click();
    await expect.poll(() => page.textContent('#run-message'), SOON).toMatch(/^Answered; braid resume started \(process \d+\)/);
    await expect.poll(() => page.getAttribute('#run-status', 'data-status'), SLOW).toBe('done');
    expect(await page.locator('#run-waits form').count()).toBe(0);

    // the resumed run made one call, the reply, with the approval in it; the assessment replayed
    const prompts = fake.server.stats().timeline.map((entry) => entry.prompt);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain('approved=true');
    await expect.poll(async () => ((await (await fetch(new URL('/api/runs/refund', fixture.console.url))).json()) as { child?: { exitCode?: number } }).child?.exitCode, SLOW).toBe(0);
    expect(await isPwned(page)).toBeUndefined();
    // the browser logs the refused answer's 400, and nothing else
    expect(problems).toEqual([expect.stringContaining('status of 400 (Bad Request)')]);
  });

  test('a forged POST (no token, a wrong one, another origin, a page on another site) is refused and changes nothing', async () => {
    fake.server.configure({ rules: [{ match: SOURCES_PROMPT, fault: 'hang' }] });
    const fixture = await openConsole();
    const hanging = await startHangingRun(fixture, 'guarded');
    const consoleUrl = new URL(fixture.console.url);
    const cancelUrl = new URL('/api/runs/guarded/cancel', consoleUrl);
    const page = await (await fetch(consoleUrl)).text();
    const token = /<meta name="braid-token" content="([0-9a-f]{64})">/.exec(page)?.[1];
    expect(token).toBeDefined();

    const post = (headers: Record<string, string>) => fetch(cancelUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-braid-token': 'f'.repeat(64) })).status).toBe(403);
    expect((await post({ 'x-braid-token': token!, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ 'x-braid-token': token!, origin: consoleUrl.origin, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await post({ 'x-braid-token': token!, 'content-type': 'text/plain' })).status).toBe(415);
    expect(await postWithHost(cancelUrl, `evil.example:${consoleUrl.port}`, token!)).toBe(421);

    // a page on another origin tries it from the browser: a fetch (its preflight is refused) and a form
    const evil = await startEvilPage(cancelUrl.href);
    const evilContext = await chromium.browser.newContext();
    onTestFinished(() => evilContext.close());
    const evilPage = await evilContext.newPage();
    await evilPage.goto(evil.url);
    await expect.poll(() => evilPage.title(), SOON).toBe('fetch blocked');
    const formAnswer = evilPage.waitForResponse((response) => response.url() === cancelUrl.href);
    await evilPage.evaluate(() => document.querySelector<HTMLFormElement>('#forged')!.submit());
    expect((await formAnswer).status()).toBe(403);

    expect(fixture.store.getRun('guarded')?.status).toBe('running');
    expect(hanging.child.exitCode).toBeNull();

    // the console's own page, with its token, can
    const allowed = await post({ 'x-braid-token': token!, origin: consoleUrl.origin, 'sec-fetch-site': 'same-origin' });
    expect(allowed.status).toBe(202);
    expect((await hanging.result).code).toBe(130);
    expect(fixture.store.getRun('guarded')?.status).toBe('cancelled');
  });
});

describe('console actions over HTTP', () => {
  test('what a run cannot do is refused with the reason: a program\'s run, a run in this process, a braid that cannot start', async () => {
    const directory = makeTempDirectory('braid-console-');
    const storeFile = join(directory, 'runs.db');
    const store = openRunStore(storeFile);
    const model = createModel('openai:gpt-4.1-mini', { baseURL: fake.server.openaiBaseURL, env: OPENAI_TEST_ENV });
    // a run a program started (no command to resume it with), one the CLI started, and one still held by this process
    startRun(store, { model, workflow: 'facts', runId: 'programmatic' }).finish('error');
    startRun(store, { model, workflow: 'facts', runId: 'from-cli', command: ['faq', 'samples/'] }).finish('error');
    const held = startRun(store, { model, workflow: 'facts', runId: 'held-here', command: ['faq', 'samples/'] });
    const console = await startConsole({ store, storeFile, braidCommand: [join(directory, 'no-such-node')], pollMs: 50 });
    onTestFinished(async () => {
      held.finish();
      await console.close();
      store.close();
    });
    const token = /<meta name="braid-token" content="([0-9a-f]{64})">/.exec(await (await fetch(console.url)).text())![1]!;
    const act = async (runId: string, action: string, body: unknown = {}) => {
      const answer = await fetch(new URL(`/api/runs/${runId}/${action}`, console.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-braid-token': token }, body: JSON.stringify(body) });
      return { status: answer.status, ...((await answer.json()) as { error?: string }) };
    };
    const offered = async (runId: string) => ((await (await fetch(new URL(`/api/runs/${runId}`, console.url))).json()) as { actions: string[] }).actions;

    expect(await offered('programmatic')).toEqual([]);
    expect(await act('programmatic', 'retry')).toMatchObject({ status: 409, error: expect.stringContaining('started by a program, not the braid CLI') });
    expect(await offered('held-here')).toEqual([]);
    expect(await act('held-here', 'cancel')).toMatchObject({ status: 409, error: expect.stringContaining('runs in this process') });
    expect(await act('held-here', 'retry')).toMatchObject({ status: 409, error: expect.stringContaining('is running') });
    expect(await act('from-cli', 'signal', { name: 'approval', value: true })).toMatchObject({ status: 400, error: expect.stringContaining('has ended') });
    expect(await act('nobody', 'resume')).toMatchObject({ status: 404 });
    expect(await act('from-cli', 'explode')).toMatchObject({ status: 404, error: 'no action explode' });

    expect(await offered('from-cli')).toEqual(['retry']);
    expect(await act('from-cli', 'retry')).toMatchObject({ status: 500, error: expect.stringContaining('could not start braid retry') });
    // the console is still there
    expect((await fetch(new URL('/api/runs', console.url))).status).toBe(200);
  });

  test('a failed run is retried: only its failed step runs again, as a process of its own', async () => {
    fake.server.configure({ rules: [{ match: SOURCES_PROMPT, status: 400 }] });
    const fixture = await openConsole();
    const failed = await runCli(faqArgs('to-retry', fixture.storeFile), { env: OPENAI_TEST_ENV });
    expect(failed.code).toBe(1);
    expect(fixture.store.getRun('to-retry')?.status).toBe('failed');

    fake.server.configure({ rules: [] });
    fake.server.reset();
    const token = /<meta name="braid-token" content="([0-9a-f]{64})">/.exec(await (await fetch(fixture.console.url)).text())![1]!;
    const run = async () => (await (await fetch(new URL('/api/runs/to-retry', fixture.console.url))).json()) as { actions: string[]; child?: { pid: number; exitCode?: number; log: string } };
    expect((await run()).actions).toEqual(['retry']);
    const answer = await fetch(new URL('/api/runs/to-retry/retry', fixture.console.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-braid-token': token }, body: '{}' });
    expect(answer.status).toBe(202);
    const started = (await answer.json()) as { pid: number; log: string };
    expect(started.log).toContain(join('console-logs', 'to-retry-retry-'));

    // a second click while it runs is refused, not a second process
    const again = await fetch(new URL('/api/runs/to-retry/retry', fixture.console.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-braid-token': token }, body: '{}' });
    expect(again.status).toBe(409);

    await expect.poll(async () => (await run()).child?.exitCode, SLOW).toBe(0);
    expect(fixture.store.getRun('to-retry')?.status).toBe('done');
    expect(fake.server.stats().timeline.map((entry) => entry.prompt.includes(SOURCES_PROMPT))).toEqual([true]);
  });
});

/** A POST with a forged Host header (what a DNS-rebinding page would send). */
function postWithHost(url: URL, host: string, token: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const call = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { host, 'content-type': 'application/json', 'x-braid-token': token } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    call.on('error', reject);
    call.end('{}');
  });
}

/** A page on another origin (another port) that tries to cancel the run through the visitor's browser. */
async function startEvilPage(target: string): Promise<{ url: string }> {
  const html = `<!doctype html><title>evil</title>
<form id="forged" method="post" action="${target}" enctype="text/plain"><input name='{"x":"' value='"}'></form>
<script>
fetch(${JSON.stringify(target)}, { method: 'POST', headers: { 'content-type': 'application/json', 'x-braid-token': 'guessed' }, body: '{}' })
  .then(function (response) { document.title = 'fetch ' + response.status; }, function () { document.title = 'fetch blocked'; });
</script>`;
  const server = createServer((_request, response) => {
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
