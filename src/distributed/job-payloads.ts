import { z } from 'zod';

// What travels through Redis between producer and workers. Both sides parse with these schemas
// before any work, so a worker of another braid version fails a job clearly instead of misreading
// it, and a job written into Redis by anyone else is refused unless it is exactly this shape. The
// item's own input and output are checked against its workflow's schemas on either side.

/** Batch ids become job ids and journal keys: plain characters only (see `checkBatchId`). */
const BatchId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/);
/** Workflow names, as `defineBatchWorkflow` allows them. */
const WorkflowName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);

/** One item job: which workflow (by name), and the item's input, already validated by the producer. */
export const ItemJobData = z.object({
  /** The workflow's name: the worker looks the definition up in its registry. */
  kind: WorkflowName,
  batchId: BatchId,
  /** The item's position in the batch: results come back in this order. */
  index: z.number().int().min(0),
  /** The model spec the producer asked for: a worker serving another model refuses the item. */
  model: z.string().min(1).optional(),
  /** Checked against the workflow's input schema before the workflow sees it. */
  input: z.unknown(),
});
export type ItemJobData = z.infer<typeof ItemJobData>;

/** What one item's run did, as `RunSummary` counts it; the producer sums them into the batch's summary. */
export const ItemSummary = z.object({
  runId: z.string(),
  wallMs: z.number(),
  criticalPathMs: z.number(),
  steps: z.number().int(),
  failedSteps: z.number().int(),
  calls: z.number().int(),
  retries: z.number().int(),
  rateLimited: z.number().int(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number(),
  evaluatedInputTokens: z.number().optional(),
  /** Per call stream, as the local summary reports it. */
  outputTokensPerSecond: z.number().optional(),
  costUsd: z.number(),
  cacheHits: z.number().int(),
  replayedSteps: z.number().int(),
});
export type ItemSummary = z.infer<typeof ItemSummary>;

/** One item's result: the workflow's output (checked against its output schema) and its run's summary. */
export const ItemJobResult = z.object({
  kind: WorkflowName,
  output: z.unknown(),
  summary: ItemSummary,
});
export type ItemJobResult = z.infer<typeof ItemJobResult>;

/** The parent job of a batch: it completes once every item is done (or failed for good). */
export const BatchJobData = z.object({
  /** The workflow's name. */
  kind: WorkflowName,
  total: z.number().int().min(0),
  /** A hash of the items' inputs: the same batch id with other items is refused, not mixed. */
  inputHash: z.string().optional(),
  /** The model spec the producer asked for, if it did. */
  model: z.string().optional(),
  /** The producer's command line (without the Redis URL), for `braid resume <batch-id>`. */
  command: z.array(z.string()).optional(),
});
export type BatchJobData = z.infer<typeof BatchJobData>;

export const BatchJobResult = z.object({
  total: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
});
export type BatchJobResult = z.infer<typeof BatchJobResult>;
