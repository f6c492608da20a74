import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeProvider } from '../../fake-provider/index.js';
import { REPOSITORY_ROOT, type CliResult } from '../../support/run-cli.js';

/** A `braid worker` child process. */
export interface WorkerProcess {
  name: string;
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** How it ended. */
  result: Promise<CliResult>;
  /** Sends a signal (SIGTERM unless told), waits for the end, and removes its temporary home. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** The env a child needs to reach the fake on the OpenAI wire. */
export const WORKER_ENV = { OPENAI_API_KEY: 'sk-test' };

/**
 * Starts `braid worker` as a child process against `redisUrl` and the fake provider, and resolves
 * once it says it is ready. The caller stops it (usable from `beforeAll`, unlike `startCli`).
 */
export async function startWorkerProcess(
  { redisUrl, server, name, args = [] }: { redisUrl: string; server: FakeProvider; name: string; args?: readonly string[] },
): Promise<WorkerProcess> {
  const home = mkdtempSync(join(tmpdir(), 'braid-worker-home-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPOSITORY_ROOT, 'src', 'cli', 'main.ts'), 'worker', '--redis', redisUrl, '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL, '--name', name, ...args],
    { cwd: REPOSITORY_ROOT, env: { PATH: process.env.PATH ?? '', HOME: home, BRAID_HOME: join(home, 'braid'), BRAID_OFFLINE: '1', ...WORKER_ENV }, stdio: 'pipe' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end();
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      rmSync(home, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    });
  });
  const worker: WorkerProcess = {
    name,
    child,
    stderr: () => stderr,
    result,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return result;
    },
  };
  try {
    await waitForOutput(worker, / ready on /);
  } catch (error) {
    await worker.stop('SIGKILL');
    throw error;
  }
  return worker;
}

/** Resolves once the child's stderr matches `pattern`; rejects if it exits first. */
export function waitForOutput(worker: Pick<WorkerProcess, 'child' | 'stderr'>, pattern: RegExp): Promise<void> {
  if (pattern.test(worker.stderr())) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onData = (): void => {
      if (!pattern.test(worker.stderr())) return;
      cleanup();
      resolve();
    };
    const onClose = (code: number | null): void => {
      cleanup();
      reject(new Error(`the worker exited (${code}) before printing ${pattern}:\n${worker.stderr()}`));
    };
    const cleanup = (): void => {
      worker.child.stderr.off('data', onData);
      worker.child.off('close', onClose);
    };
    // registered after the collector above, so stderr() already holds the chunk
    worker.child.stderr.on('data', onData);
    worker.child.once('close', onClose);
  });
}
