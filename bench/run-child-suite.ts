import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ChildSuiteOptions {
  /** The child is killed past this, and its lines so far are kept. @default 180_000 */
  timeoutMs?: number;
}

export type ChildSuiteResult =
  | { status: 'missing' }
  | { status: 'ok'; lines: string[] }
  | { status: 'failed'; lines: string[]; reason: string };

/**
 * Runs a benchmark file that another suite owns as a child process (`node --import tsx FILE`), so a
 * crash or a hang there cannot take this run down, and returns what it printed.
 *
 * @example
 * const result = await runChildSuite(fileURLToPath(new URL('journal-overhead.ts', import.meta.url)));
 */
export async function runChildSuite(file: string, { timeoutMs = 180_000 }: ChildSuiteOptions = {}): Promise<ChildSuiteResult> {
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (!exists) return { status: 'missing' };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: dirname(file), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      child.kill('SIGTERM'); // only the child this function started
    }, timeoutMs);
    const finish = (reason: string | undefined) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line.trim() !== '');
      if (reason === undefined) resolve({ status: 'ok', lines });
      else resolve({ status: 'failed', lines, reason });
    };
    child.on('error', (error) => finish(`could not start: ${error.message}`));
    child.on('close', (code, signal) => {
      if (isTimedOut) finish(`killed after ${timeoutMs} ms`);
      else if (code === 0) finish(undefined);
      else finish(`exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    });
  });
}
