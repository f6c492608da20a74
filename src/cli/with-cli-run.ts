import { RunWaitingError } from '../core/errors.js';
import type { RunSummary } from '../core/run-summary.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { openCliRuntime, type CliRunIdentity, type CliRuntime } from './open-cli-runtime.js';
import { createProgress, type Progress } from './progress.js';
import { exitCodeOf, reportError } from './report-error.js';

export interface CliRunContext extends CliRuntime {
  progress: Progress;
  /** Human-readable output: a TTY and no `--json`. */
  isInteractive: boolean;
}

/**
 * The life of one CLI run: opens the runtime, shows progress, turns Ctrl-C into a clean
 * cancellation that reports what finished, prints errors as one line, and closes everything.
 * A run that stops at waits (`RunWaitingError`) ends its session `waiting`, exit code 0, with one
 * line per wait on stderr saying what it waits for and how to answer. Returns the exit code.
 */
export async function withCliRun(flags: EngineFlags, identity: CliRunIdentity, body: (context: CliRunContext) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    process.stderr.write('\nbraid: cancelling; in-flight calls are being stopped (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  const isInteractive = process.stdout.isTTY === true && !flags.json;
  // progress draws on stderr, so `braid faq 2>log` must not fill the log with escape codes
  const progress = createProgress({ enabled: isInteractive && process.stderr.isTTY === true, label: identity.workflow });
  let cli: CliRuntime | undefined;
  let code: number = EXIT.failed;
  let isWaiting = false;
  try {
    cli = await openCliRuntime(flags, { identity, signal: controller.signal, onSpan: progress.onSpan });
    process.stderr.write(`braid: run ${cli.braid.runId} (${cli.modelSpec})\n`);
    const { store, braid } = cli;
    const tracked: Progress = {
      ...progress,
      setTotal(total) {
        progress.setTotal(total);
        try {
          store.setStepsTotal(braid.runId, total);
        } catch {
          // a full disk: the total is for `braid runs`; the run goes on
        }
      },
    };
    code = await body({ ...cli, progress: tracked, isInteractive });
    progress.stop();
    const unjournaled = braid.summary().unjournaledSteps;
    if (unjournaled > 0) {
      // the answers were used and printed; what is lost is only the promise that a resume will not pay again
      const reason = braid.spans().find((span) => span.journalError !== undefined)?.journalError ?? 'the store refused the write';
      process.stderr.write(`braid: the journal is not durable: ${unjournaled} results could not be written (${reason}); a resume would pay for them again\n`);
      code = Math.max(code, EXIT.failed);
    }
    return code;
  } catch (error) {
    progress.stop();
    if (error instanceof RunWaitingError && !controller.signal.aborted) {
      // not a failure: everything up to the waits is journaled, and an answer (or the due time) goes on from there
      isWaiting = true;
      for (const line of error.message.split('\n')) process.stderr.write(`braid: ${line}\n`);
      code = EXIT.ok;
      return code;
    }
    code = reportError(error, { verbose: flags.verbose });
    if (cli && exitCodeOf(error) !== EXIT.usage) process.stderr.write(`braid: ${describeFinished(cli.braid.summary())}\n`);
    return code;
  } finally {
    process.off('SIGINT', onInterrupt);
    if (cli) {
      // the run's row says how it ended: done, failed (some items, or the run) or cancelled
      cli.braid.finish(isWaiting ? 'waiting' : controller.signal.aborted ? 'cancelled' : code === EXIT.ok ? 'ok' : 'error');
      try {
        // the planned total was an estimate (questions may be topped up): a finished run did them all
        const finished = code === EXIT.ok && !isWaiting && !controller.signal.aborted ? cli.store.getRun(cli.braid.runId) : undefined;
        if (finished) cli.store.setStepsTotal(finished.id, finished.stepsDone);
      } catch {
        // a full disk: the results are printed; the row catches up on the next run that can write
      }
      await cli.close();
    }
  }
}

/** One line on what a run did: for the end of a TTY run, and for what finished before a failure. */
export function describeFinished(summary: RunSummary): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const parts = [
    `${summary.steps - summary.failedSteps} of ${summary.steps} steps finished`,
    `${summary.calls} calls`,
    `${summary.retries} retries`,
    `${summary.rateLimited}×429`,
    `${(summary.inputTokens + summary.outputTokens).toLocaleString('en-US')} tokens`,
    `$${summary.costUsd.toFixed(4)}`,
    `${seconds(summary.wallMs)} (critical path ${seconds(summary.criticalPathMs)})`,
  ];
  if (summary.cachedInputTokens > 0) parts.push(`${summary.cachedInputTokens.toLocaleString('en-US')} prompt tokens reused`);
  if (summary.cacheHits > 0) parts.push(`${summary.cacheHits} cache hits`);
  if (summary.replayedSteps > 0) parts.push(`${summary.replayedSteps} replayed from the journal`);
  return parts.join(' · ');
}
