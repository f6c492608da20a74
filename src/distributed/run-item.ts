import type { LanguageModel } from 'ai';
import type { RetryPolicy } from '../core/backoff.js';
import type { LimiterRegistry } from '../core/limiter-registry.js';
import { createRuntime } from '../core/runtime.js';
import { generateFaq } from '../workflows/faq/generate-faq.js';
import { routeQuery } from '../workflows/support/route-query.js';
import { itemRunId } from './batch-keys.js';
import { ItemSummary, type ItemJobData, type ItemJobResult } from './job-payloads.js';
import type { RedisStepJournal } from './redis-step-journal.js';

export interface RunItemOptions {
  model: LanguageModel;
  /** The shared (Redis) limiters: every item of every worker draws from one budget. */
  limiters: LimiterRegistry;
  journal: RedisStepJournal;
  /** Cancels the item's run: shutdown, or BullMQ cancelling the job. */
  signal?: AbortSignal;
  /** @default 60_000 */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Documents longer than this are split, as in the local run. @default 24_000 */
  maxPartCharacters?: number;
}

/**
 * Runs one item's workflow, exactly as the local batch does, in a runtime of its own whose run id
 * is the batch id plus the item's index: an attempt on any machine replays the steps an earlier
 * attempt journaled. Resolves once the journal holds every step; throws what the workflow threw.
 *
 * @example
 * const result = await runItem(ItemJobData.parse(job.data), { model, limiters, journal, signal });
 */
export async function runItem(
  data: ItemJobData,
  { model, limiters, journal, signal, timeoutMs = 60_000, retry, maxPartCharacters = 24_000 }: RunItemOptions,
): Promise<ItemJobResult> {
  const runId = itemRunId(data.batchId, data.index);
  await journal.load(runId);
  const braid = createRuntime({ model, limiters, journal, runId, signal, timeoutMs, retry, name: data.kind });
  try {
    if (data.kind === 'faq') {
      const document = { file: data.file, title: data.title, text: data.text };
      const { faqs, failures } = await braid.run('faq', () =>
        generateFaq(braid, [document], { questions: data.questions, mode: data.mode, maxPartCharacters }),
      );
      await journal.flush(runId);
      return { kind: 'faq', file: data.file, title: data.title, faqs, failures, summary: ItemSummary.parse(braid.finish('ok')) };
    }
    const routed = await braid.run('route', () => routeQuery(braid, data.query, data.config));
    await journal.flush(runId);
    return { kind: 'route', query: data.query, ...routed, summary: ItemSummary.parse(braid.finish('ok')) };
  } catch (error) {
    braid.finish(braid.signal.aborted ? 'cancelled' : 'error');
    // what was journaled before the failure is what the next attempt will not pay for again
    await journal.flush(runId).catch(() => {});
    throw error;
  } finally {
    journal.forget(runId);
  }
}
