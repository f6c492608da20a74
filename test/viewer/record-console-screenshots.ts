/**
 * Records the README's pictures of the console: `docs/console-runs.png` (the runs list, one of
 * each status) and `docs/console.png` (the order orchestrator's run whose return waits for an
 * approval, with the answer's form and the timeline). Real CLI runs against the fake provider (the
 * orchestrator's planner and reply scripted), in a temporary store, shown in Chromium.
 *
 *   npx tsx test/viewer/record-console-screenshots.ts
 *
 * Not a test (nothing is asserted); rerun it when the console's look changes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { openRunStore } from '../../src/index.js';
import { startConsole } from '../../src/viewer/start-console.js';
import { openOrderStore } from '../../src/workflows/orders/order-store.js';
import { startFakeProvider } from '../fake-provider/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
const SOURCES_PROMPT = 'Which documents support this answer?';

const directory = mkdtempSync(join(tmpdir(), 'braid-screenshots-'));
const storeFile = join(directory, 'runs.db');
const server = await startFakeProvider({ seed: 7, latencyMs: 180, latencyPerTokenMs: 2 });
const env = { PATH: process.env.PATH ?? '', HOME: directory, BRAID_HOME: join(directory, 'braid'), BRAID_OFFLINE: '1', AI_SDK_LOG_WARNINGS: 'false', OPENAI_API_KEY: 'sk-test' };
const model = ['--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL, '--store', storeFile];

function braid(args: string[]): ChildProcess {
  return spawn(CLI[0]!, [...CLI.slice(1), ...args, ...model], { cwd: ROOT, env, stdio: 'ignore' });
}
function finished(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}
async function whenStatus(runId: string, status: string): Promise<void> {
  const store = openRunStore(storeFile);
  try {
    while (store.getRun(runId)?.status !== status) await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    store.close();
  }
}

const children: ChildProcess[] = [];
try {
  await finished(braid(['faq', 'samples/', '--questions', '3', '--run-id', 'faq-nightly']));
  await finished(braid(['route', 'I was charged twice for my subscription', '--run-id', 'route-4411']));
  server.configure({ rules: [{ match: SOURCES_PROMPT, status: 400 }] });
  await finished(braid(['faq', 'samples/energy-storage-solutions.md', '--questions', '2', '--run-id', 'faq-storage']));
  server.configure({ rules: [{ match: SOURCES_PROMPT, fault: 'hang' }] });
  const killed = braid(['faq', 'samples/understanding-wind-turbines.md', '--questions', '2', '--run-id', 'faq-wind', '--timeout', '600000']);
  await whenStatus('faq-wind', 'running');
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  killed.kill('SIGKILL');
  await finished(killed);
  // the order orchestrator: a $199.99 return over --approve-over 150 waits for a person; the order status does not
  const task = (fields: Record<string, string>) => ({ invoice_number: null, product_name: null, reason_for_return: null, order_id: null, ...fields });
  server.configure({
    rules: [
      {
        match: 'You turn a customer message into a list of tasks',
        json: { tasks: [task({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'it is broken' }), task({ query_type: 'Status Update', order_id: 'A-12345' })] },
      },
      {
        match: /\d\. \[awaiting_approval\]/,
        text: 'Order A-12345 has shipped. Your return of SuperWidget 5000 ($199.99) waits for approval by our support team; we will write again once it is decided.',
      },
    ],
  });
  const orders = join(directory, 'orders.db');
  openOrderStore(orders).close();
  await finished(
    braid(['orchestrate', 'My SuperWidget 5000 is broken, I want to return it. Where is order A-12345?', '--db', orders, '--customer', 'CUST-1001', '--approve-over', '150', '--run-id', 'return-a12345']),
  );
  server.configure({ rules: [{ match: SOURCES_PROMPT, fault: 'hang' }] });
  const running = braid(['faq', 'samples/benefits-of-solar-energy.md', '--questions', '3', '--timeout', '600000']);
  children.push(running);
  await new Promise((resolve) => setTimeout(resolve, 6_000));

  const store = openRunStore(storeFile);
  const console = await startConsole({ store, storeFile, braidCommand: CLI, env });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 430 } });
    await page.goto(console.url);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    await page.screenshot({ path: join(ROOT, 'docs', 'console-runs.png') });

    // tall enough for the whole page: the step list's rows are not painted outside the viewport (content-visibility)
    await page.setViewportSize({ width: 1440, height: 1150 });
    await page.goto(console.runUrl('return-a12345'));
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && document.documentElement.dataset.runStatus === 'waiting');
    await page.locator('#run-waits textarea[name="note"]').fill('Checked the photos: the housing is cracked.');
    await page.locator('#step-rows .step-row', { hasText: 'plan' }).first().click();
    await page.mouse.move(1, 1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ROOT, 'docs', 'console.png') });
  } finally {
    await browser.close();
    await console.close();
    store.close();
  }
} finally {
  for (const child of children) child.kill('SIGINT');
  await Promise.all(children.map(finished));
  await server.close();
  rmSync(directory, { recursive: true, force: true });
}
