import { InputError } from '../core/errors.js';

/** BullMQ's key prefix: every queue key is `<prefix>:<queue>:…`. */
export const DEFAULT_QUEUE_PREFIX = 'braid';
/** The queue of item jobs (one FAQ document, one support query). */
export const ITEMS_QUEUE = 'items';
/** The queue of batch parents: one job per batch, done when all its items are. */
export const BATCHES_QUEUE = 'batches';

/** The job id of a batch's item: stable, so enqueueing the same batch twice adds nothing. */
export function itemJobId(batchId: string, index: number): string {
  return `${batchId}-${index}`;
}

/** The item's index from its job id, or undefined for another batch's job. */
export function indexOfItemJob(batchId: string, jobId: string): number | undefined {
  if (!jobId.startsWith(`${batchId}-`)) return undefined;
  const index = Number(jobId.slice(batchId.length + 1));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/** The run id of an item: the journal key, the same on every attempt, so a retried job replays. */
export function itemRunId(batchId: string, index: number): string {
  return `${batchId}/${index}`;
}

/** BullMQ ids may not be plain integers nor contain ':'; ours also stay readable in shells and logs. */
export function checkBatchId(batchId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(batchId) || /^\d+$/.test(batchId)) {
    throw new InputError(`the batch id "${batchId}" must be letters, digits, '.', '_' or '-' (not only digits), at most 128 characters`);
  }
  return batchId;
}
