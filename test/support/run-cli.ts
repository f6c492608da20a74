import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/** The repository root: the CLI runs from here, as `npm start` does. */
export const REPOSITORY_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI_ENTRY = join(REPOSITORY_ROOT, 'src', 'cli', 'main.ts');

/** How a `braid` child process ended, and everything it printed. */
export interface CliResult {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the child's environment (which holds only PATH and the temporary folders otherwise). */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed. */
  input?: string;
}

/** A running `braid` child: its output so far, and its end. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  result: Promise<CliResult>;
}

/** A temporary directory removed when the current test finishes. */
export function makeTempDirectory(prefix = 'braid-cli-'): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/**
 * Starts `node --import tsx src/cli/main.ts ...args` with stdout and stderr piped (so not a TTY).
 * The child sees no key or braid setting of this process: only PATH, a temporary HOME, BRAID_HOME
 * and model cache, downloads off, and `env`. It is killed if still running when the test ends.
 */
export function startCli(args: readonly string[], { env = {}, input }: CliOptions = {}): CliProcess {
  return startChild(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], { env, input });
}

/**
 * Starts `braid ...args` in a pseudo-terminal 100 columns wide and 40 rows high (util-linux
 * `script`), so it sees a TTY on stdout and stderr as a person at a terminal does. Everything it
 * writes, stderr included, arrives on `stdout()` as the terminal shows it (lines end in `\r\n`);
 * `onOutput` sees each piece as the terminal got it.
 */
export function startCliInTerminal(args: readonly string[], { env = {}, onOutput }: Omit<CliOptions, 'input'> & { onOutput?: (piece: string) => void } = {}): CliProcess {
  const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const command = ['stty cols 100 rows 40;', 'exec', ...[process.execPath, '--import', 'tsx', CLI_ENTRY, ...args].map(quote)].join(' ');
  const started = startChild('script', ['--quiet', '--return', '--command', command, '/dev/null'], { env });
  if (onOutput) started.child.stdout.on('data', onOutput);
  return started;
}

function startChild(file: string, args: readonly string[], { env = {}, input }: CliOptions): CliProcess {
  const home = makeTempDirectory('braid-home-');
  const child = spawn(file, args, {
    cwd: REPOSITORY_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_DATA_HOME: join(home, 'data'),
      XDG_CACHE_HOME: join(home, 'cache'),
      BRAID_HOME: join(home, 'braid'),
      BRAID_CACHE_DIR: join(home, 'models'),
      BRAID_OFFLINE: '1',
      ...env,
    },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  const result = new Promise<CliResult>((resolveResult, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolveResult({ code, signal, stdout, stderr }));
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => stdout, stderr: () => stderr, result };
}

/** Runs `braid ...args` to the end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** The lines of stderr, without the `braid: run <id> (<model>)` line every run starts with. */
export function stderrLines(result: Pick<CliResult, 'stderr'>): string[] {
  return result.stderr.split('\n').filter((line) => line !== '' && !/^braid: run \S+ \(/.test(line));
}

/** The terminal control sequences the progress line draws with; none may reach a pipe. */
export const PROGRESS_ESCAPES = /\r|\u001b\[/;
