import { spawn } from 'node:child_process';

/** Opens `url` in the system browser, best effort: where none can be started, the printed URL remains. */
export function openBrowser(url: string): void {
  const [command, ...args] =
    process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  try {
    const child = spawn(command!, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // no opener installed: the URL is on stderr already
    child.unref();
  } catch {
    // same: nothing to open with
  }
}
