import type { Job } from 'bullmq';
import type { RunWaitingError } from '../core/errors.js';
import type { WaitJournal } from '../core/wait-journal.js';

/**
 * How long a job whose waits have no deadline stays parked before a worker looks at it again: a
 * signal promotes it at once, so this is only the backstop for a signal whose promotion was lost.
 */
export const WAIT_RECHECK_MS = 24 * 60 * 60 * 1000;

/**
 * Frees the worker of an item that stopped at waits: the job goes to BullMQ's delayed set until
 * its earliest deadline (a sleep's due time, a wait's timeout), where a signal promotes it back to
 * the queue for any worker. Then it looks once more at the waits: a signal that came while the
 * item was still running found no delayed job to promote, so the item promotes itself.
 *
 * The caller then throws BullMQ's `DelayedError`, which tells the worker the job is parked, not failed.
 */
export async function parkWaitingItem(job: Job, token: string, runId: string, waiting: RunWaitingError, waits: WaitJournal, now = Date.now): Promise<void> {
  const deadlines = waiting.waits.flatMap((wait) => (wait.deadline === undefined ? [] : [Date.parse(wait.deadline)]));
  const wakeAt = Math.min(now() + WAIT_RECHECK_MS, ...deadlines);
  await job.moveToDelayed(wakeAt, token);
  const pending = new Set((await waits.pending(runId)).map((wait) => wait.key));
  if (waiting.waits.some((wait) => !pending.has(wait.key))) {
    await job.promote().catch(() => {
      // a signal promoted it first: it is back in the queue either way
    });
  }
}
