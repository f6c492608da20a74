import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { openBrowser } from '../../src/viewer/open-browser.js';

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'braid-open-browser-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

test('starts the program named by BROWSER with the URL as its argument', async () => {
  const directory = temporaryDirectory();
  const browser = join(directory, 'fake-browser.sh');
  const opened = join(directory, 'opened.txt');
  writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > "${opened}.part" && mv "${opened}.part" "${opened}"\n`);
  chmodSync(browser, 0o755);
  await expect(openBrowser('http://127.0.0.1:9/?a=1&b=2', { env: { BROWSER: browser, PATH: process.env.PATH } })).resolves.toBe(true);
  await expect.poll(() => existsSync(opened)).toBe(true);
  expect(readFileSync(opened, 'utf8')).toBe('http://127.0.0.1:9/?a=1&b=2');
});

test('does nothing when disabled, with BROWSER=none, or on CI', async () => {
  const directory = temporaryDirectory();
  const browser = join(directory, 'fake-browser.sh');
  const opened = join(directory, 'opened.txt');
  writeFileSync(browser, `#!/bin/sh\ntouch "${opened}"\n`);
  chmodSync(browser, 0o755);
  await expect(openBrowser('http://127.0.0.1:9/', { enabled: false, env: { BROWSER: browser } })).resolves.toBe(false);
  await expect(openBrowser('http://127.0.0.1:9/', { env: { BROWSER: 'none' } })).resolves.toBe(false);
  await expect(openBrowser('http://127.0.0.1:9/', { env: { BROWSER: browser, CI: 'true' } })).resolves.toBe(false);
  expect(existsSync(opened)).toBe(false);
});

test('resolves false when there is no browser program', async () => {
  await expect(openBrowser('http://127.0.0.1:9/', { env: { BROWSER: '/nonexistent/braid-browser' } })).resolves.toBe(false);
});
