import { spawn } from 'node:child_process';

export interface OpenBrowserOptions {
  /** `false` (e.g. from `--no-open`) skips opening. @default true */
  enabled?: boolean;
  /** @default process.env; `BROWSER` names the program to use, `BROWSER=none` turns opening off */
  env?: NodeJS.ProcessEnv;
  /** @default process.platform */
  platform?: NodeJS.Platform;
}

/**
 * Opens `url` in the system browser without waiting for it, and resolves whether a browser
 * program was started. Never throws: a machine without one (a server, CI) just keeps the URL
 * the caller printed.
 *
 * @example
 * const viewer = await startViewer({ spans });
 * process.stderr.write(`braid: viewer at ${viewer.url}\n`);
 * await openBrowser(viewer.url, { enabled: !flags.noOpen });
 */
export async function openBrowser(url: string, { enabled = true, env = process.env, platform = process.platform }: OpenBrowserOptions = {}): Promise<boolean> {
  if (!enabled || env.BROWSER === 'none' || env.CI) return false;
  const [command, ...args] = browserCommand(url, env, platform);
  return new Promise<boolean>((resolve) => {
    // no shell: the URL is an argument, never command text
    const child = spawn(command!, args, { detached: true, stdio: 'ignore', env, windowsHide: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref(); // the browser outlives the viewer command's own exit
      resolve(true);
    });
  });
}

function browserCommand(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (env.BROWSER) return [env.BROWSER, url];
  if (platform === 'darwin') return ['open', url];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""', url];
  return ['xdg-open', url];
}
