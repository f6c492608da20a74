import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunStore } from '../store/run-store.js';
import type { RunRow, RunStatus } from '../store/runs-table.js';
import { ActionRefusedError } from './action-refused-error.js';

export interface RunActionsOptions {
  store: RunStore;
  /** The store's file, passed on to the commands the console starts. */
  storeFile: string;
  /**
   * How to start braid itself, e.g. `[process.execPath, ...process.execArgv, process.argv[1]]`
   * from the CLI. Without it the console cannot resume or retry runs.
   */
  braidCommand?: readonly string[];
  /** Where the output of the runs the console resumes is written, one file each. */
  logDirectory: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** A `braid resume|retry` the console started. */
export interface ConsoleChild {
  command: 'resume' | 'retry';
  pid: number;
  /** Its stdout and stderr. */
  log: string;
  /** Once it has ended. */
  exitCode?: number | null;
}

export interface RunActions {
  /**
   * Runs `braid resume|retry <run-id>` as a detached child of the console: the run goes on in
   * its own process, which outlives the console, with its output in a log file.
   */
  rerun(runId: string, command: 'resume' | 'retry'): ConsoleChild;
  /** Sends SIGINT to the process running the run (on this host): the CLI cancels cleanly and records it. */
  cancel(runId: string): { pid: number };
  /** The last resume or retry the console started for the run. */
  childOf(runId: string): ConsoleChild | undefined;
}

/** Statuses a run can be taken up again from; `running` and `done` cannot. */
const RESUMABLE: ReadonlySet<RunStatus> = new Set(['interrupted', 'failed', 'cancelled', 'waiting']);

/** What the console can do to a run, beside showing it. */
export function createRunActions({ store, storeFile, braidCommand, logDirectory, env = process.env }: RunActionsOptions): RunActions {
  const children = new Map<string, ConsoleChild>();
  const thisHost = hostname();

  const runOf = (runId: string): RunRow => {
    const run = store.getRun(runId);
    if (!run) throw new ActionRefusedError(404, `no run ${runId} in ${storeFile}`);
    return run;
  };

  return {
    rerun(runId, command) {
      const run = runOf(runId);
      if (!RESUMABLE.has(run.status)) throw new ActionRefusedError(409, `run ${runId} is ${run.status}; only an interrupted, failed, cancelled or waiting run can be resumed`);
      if (run.command.length === 0) {
        throw new ActionRefusedError(409, `run ${runId} was started by a program, not the braid CLI; resume it there (resume(store, '${runId}', …))`);
      }
      if (!braidCommand || braidCommand.length === 0) throw new ActionRefusedError(501, 'this console was started without a braid command to resume runs with');
      const earlier = children.get(runId);
      if (earlier && earlier.exitCode === undefined) throw new ActionRefusedError(409, `run ${runId} is being resumed already (process ${earlier.pid})`);

      mkdirSync(logDirectory, { recursive: true });
      const log = join(logDirectory, `${runId.replace(/[^\w.-]/g, '_')}-${command}-${Date.now()}.log`);
      const output = openSync(log, 'a');
      try {
        const [program, ...args] = braidCommand;
        // no shell: the run id is an argument, never command text; detached, so the run survives the console's Ctrl-C
        const child = spawn(program!, [...args, command, runId, '--store', storeFile], { detached: true, stdio: ['ignore', output, output], env, windowsHide: true });
        if (child.pid === undefined) throw new ActionRefusedError(500, `could not start braid ${command}`);
        const started: ConsoleChild = { command, pid: child.pid, log };
        children.set(runId, started);
        child.once('exit', (code) => {
          started.exitCode = code;
        });
        child.once('error', () => {
          started.exitCode ??= null;
        });
        child.unref();
        return started;
      } finally {
        closeSync(output); // the child has its own copy
      }
    },

    cancel(runId) {
      const run = runOf(runId);
      if (run.status !== 'running') throw new ActionRefusedError(409, `run ${runId} is ${run.status}, not running`);
      const holder = store.heldBy(runId);
      if (!holder) throw new ActionRefusedError(409, `no live process holds run ${runId}`);
      if (holder.host !== thisHost) throw new ActionRefusedError(409, `run ${runId} runs on ${holder.host}; cancel it there (Ctrl-C)`);
      if (holder.pid === process.pid) throw new ActionRefusedError(409, `run ${runId} runs in this process; cancel it through its runtime`);
      try {
        // the CLI turns SIGINT into a clean cancellation: in-flight calls stop, the run is recorded as cancelled
        process.kill(holder.pid, 'SIGINT');
      } catch (error) {
        throw new ActionRefusedError(409, `could not signal process ${holder.pid}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      return { pid: holder.pid };
    },

    childOf(runId) {
      return children.get(runId);
    },
  };
}
