import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, onTestFinished } from 'vitest';

/** Debian's Chromium; the browser tests are skipped (with a warning) where it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface OpenedPage {
  page: Page;
  /** The page's uncaught errors and console errors, from the moment it opened. */
  problems: string[];
}

export interface SharedChromium {
  /** The block's browser (launched in `beforeAll`), for a test that needs a context of its own. */
  readonly browser: Browser;
  /**
   * Opens `url` in a fresh context (closed when the test ends) and waits until the page says it is
   * ready: `data-ready` on `<html>`, which must be `'true'`.
   */
  openPage(url: string): Promise<OpenedPage>;
}

/**
 * One headless Chromium for a `describe` block (launching it is slow): started in `beforeAll`,
 * closed in `afterAll`, each page in its own context.
 */
export function useChromium({ viewport = { width: 1440, height: 1000 } }: { viewport?: { width: number; height: number } } = {}): SharedChromium {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });
  const launched = (): Browser => {
    if (!browser) throw new Error('Chromium starts in beforeAll');
    return browser;
  };
  return {
    get browser() {
      return launched();
    },
    async openPage(url) {
      const context = await launched().newContext({ viewport });
      onTestFinished(() => context.close());
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      await page.goto(url);
      // settles on 'true' or 'error'; a page that throws first never settles, so say what it threw
      await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined, undefined, { timeout: 20_000 }).catch((error: unknown) => {
        throw new Error(`the page never became ready: ${problems.join('; ') || 'no errors logged'}`, { cause: error });
      });
      expect(await page.evaluate(() => document.documentElement.dataset.ready)).toBe('true');
      return { page, problems };
    },
  };
}
