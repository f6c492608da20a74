import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { RunStore } from '../store/run-store.js';
import type { RunRow, RunStatus } from '../store/runs-table.js';
import { signal } from '../store/signal.js';
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
  /** How often a run with an answer waits to see its running session end, before it is resumed. @default 250 */
  pollMs?: number;
}

/** What an answer to a wait did. */
export interface AnswerResult {
  /** `answered`: the pending wait took it; `kept`: the run has not reached that wait yet. */
  delivered: 'answered' | 'kept';
  key?: string;
  /** The `braid resume` started to go on from the wait, or `after-session` when the run's current session must end first. */
  resumed?: ConsoleChild | 'after-session';
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
  /** What the run's state allows now, as its page offers it: `cancel`, `resume`, `retry` (answers go with its waits). */
  available(run: RunRow): string[];
  /**
   * Runs `braid resume|retry <run-id>` as a detached child of the console: the run goes on in
   * its own process, which outlives the console, with its output in a log file.
   */
  rerun(runId: string, command: 'resume' | 'retry'): ConsoleChild;
  /** Sends SIGINT to the process running the run (on this host): the CLI cancels cleanly and records it. */
  cancel(runId: string): { pid: number };
  /**
   * Answers a wait (`signal`, checked against the wait's schema) and, for a run the CLI started,
   * resumes it (`braid resume`, as `braid signal` does) once no session of it is running.
   */
  answer(runId: string, request: { name: string; key?: string; value: unknown }): AnswerResult;
  /** The last resume or retry the console started for the run. */
  childOf(runId: string): ConsoleChild | undefined;
  /** Stops waiting for sessions to end (runs it started go on). */
  close(): void;
}

/** Statuses a run can be taken up again from; `running` and `done` cannot. */
const RESUMABLE: ReadonlySet<RunStatus> = new Set(['interrupted', 'failed', 'cancelled', 'waiting']);

/** What the console can do to a run, beside showing it. */
export function createRunActions({ store, storeFile, braidCommand, logDirectory, env = process.env, pollMs = 250 }: RunActionsOptions): RunActions {
  const children = new Map<string, ConsoleChild>();
  const sessionWatches = new Map<string, NodeJS.Timeout>();
  const thisHost = hostname();
  const canRerun = (run: RunRow): boolean => run.command.length > 0 && braidCommand !== undefined && braidCommand.length > 0;

  const runOf = (runId: string): RunRow => {
    const run = store.getRun(runId);
    if (!run) throw new ActionRefusedError(404, `no run ${runId} in ${storeFile}`);
    return run;
  };

  const actions: RunActions = {
    available(run) {
      switch (run.status) {
        case 'running': {
          const holder = store.heldBy(run.id);
          return holder && holder.host === thisHost && holder.pid !== process.pid ? ['cancel'] : [];
        }
        case 'interrupted':
        case 'cancelled':
          return canRerun(run) ? ['resume'] : [];
        case 'failed':
          return canRerun(run) ? ['retry'] : [];
        case 'waiting':
          // a sleep takes no answer: a resume goes on once it is due (and sleeps again before then)
          return canRerun(run) && run.waits.some((wait) => wait.kind === 'sleep') ? ['resume'] : [];
        default:
          return [];
      }
    },

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
        // after `--`, a run id that starts with a dash is still the run id, not an option
        const child = spawn(program!, [...args, command, '--store', storeFile, '--', runId], { detached: true, stdio: ['ignore', output, output], env, windowsHide: true });
        let started: ConsoleChild | undefined;
        // listened to at once: a program that cannot start reports it as an event, which unheard would end the console
        child.once('error', () => {
          if (started) started.exitCode ??= null;
        });
        if (child.pid === undefined) throw new ActionRefusedError(500, `could not start braid ${command} (${program})`);
        const running: ConsoleChild = { command, pid: child.pid, log };
        started = running;
        children.set(runId, running);
        child.once('exit', (code) => {
          running.exitCode = code;
        });
        child.unref();
        return running;
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

    answer(runId, { name, key, value }) {
      runOf(runId);
      let delivered: ReturnType<typeof signal>;
      try {
        delivered = signal(store, runId, name, value, key === undefined ? {} : { key });
      } catch (error) {
        // a value that does not fit the schema, a wait answered already, an ended run: say why, change nothing
        if (error instanceof InputError) throw new ActionRefusedError(400, error.message, { cause: error });
        throw error;
      }
      const result: AnswerResult = { delivered: delivered.delivered, ...(delivered.key === undefined ? {} : { key: delivered.key }) };
      const run = store.getRun(runId);
      // a kept answer waits for the run to get there: resuming a run stopped elsewhere changes nothing
      if (delivered.delivered === 'kept' || !run || !canRerun(run)) return result;
      if (run.status === 'waiting' || run.status === 'interrupted') return { ...result, resumed: actions.rerun(runId, 'resume') };
      if (run.status === 'running') {
        // a sibling of the waiting item is still at work: that session ends on its own, then the answer is taken up
        if (!sessionWatches.has(runId)) {
          const timer = setInterval(() => {
            const now = store.getRun(runId);
            if (now?.status === 'running') return;
            clearInterval(timer);
            sessionWatches.delete(runId);
            try {
              if (now?.status === 'waiting' || now?.status === 'interrupted') actions.rerun(runId, 'resume');
            } catch {
              // resumed by someone else meanwhile (braid resume in a shell): nothing to do
            }
          }, pollMs);
          timer.unref();
          sessionWatches.set(runId, timer);
        }
        return { ...result, resumed: 'after-session' };
      }
      return result;
    },

    childOf(runId) {
      return children.get(runId);
    },

    close() {
      for (const timer of sessionWatches.values()) clearInterval(timer);
      sessionWatches.clear();
    },
  };
  return actions;
}
