import { z } from 'zod';
import { FaqEntrySchema } from '../workflows/faq/faq-schemas.js';
import { IntentDefinition } from '../workflows/support/support-intents.js';

// What travels through Redis between producer and workers. Both sides parse with these schemas,
// so a worker of another braid version fails a job clearly instead of misreading it.

/**
 * One FAQ job: one document. The job carries the document's text, not just its path: workers on
 * other machines need no shared disk, and a retried job works on the very text its first attempt
 * journaled steps for, even if the file changed in between. The cost is the text's size in Redis
 * while the job is kept (see `keepJobsForMs`).
 */
export const FaqJobData = z.object({
  kind: z.literal('faq'),
  batchId: z.string().min(1),
  /** The item's position in the batch: results come back in this order. */
  index: z.number().int().min(0),
  file: z.string().min(1),
  title: z.string().min(1),
  text: z.string().min(1),
  questions: z.number().int().min(1),
  mode: z.enum(['single', 'chain', 'parallel']),
});
export type FaqJobData = z.infer<typeof FaqJobData>;

/** The router's intents and fallback, as `loadRouterConfig` returns them. */
export const RouterConfigPayload = z.object({
  intents: z.array(IntentDefinition).min(1),
  fallback: z.string().min(1),
});

/** One route job: one support query. */
export const RouteJobData = z.object({
  kind: z.literal('route'),
  batchId: z.string().min(1),
  index: z.number().int().min(0),
  query: z.string().min(1),
  config: RouterConfigPayload,
});
export type RouteJobData = z.infer<typeof RouteJobData>;

export const ItemJobData = z.discriminatedUnion('kind', [FaqJobData, RouteJobData]);
export type ItemJobData = z.infer<typeof ItemJobData>;
export type ItemKind = ItemJobData['kind'];

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

export const FaqJobResult = z.object({
  kind: z.literal('faq'),
  file: z.string(),
  title: z.string(),
  faqs: z.array(FaqEntrySchema),
  /** Questions whose answer or sources could not be had, as the local run reports them. */
  failures: z.array(z.object({ question: z.string(), error: z.string() })),
  summary: ItemSummary,
});
export type FaqJobResult = z.infer<typeof FaqJobResult>;

export const RouteJobResult = z.object({
  kind: z.literal('route'),
  query: z.string(),
  intent: z.string(),
  response: z.string(),
  fellBack: z.boolean(),
  summary: ItemSummary,
});
export type RouteJobResult = z.infer<typeof RouteJobResult>;

export const ItemJobResult = z.discriminatedUnion('kind', [FaqJobResult, RouteJobResult]);
export type ItemJobResult = z.infer<typeof ItemJobResult>;

/** The parent job of a batch: it completes once every item is done (or failed for good). */
export const BatchJobData = z.object({
  kind: z.enum(['faq', 'route']),
  total: z.number().int().min(0),
});
export type BatchJobData = z.infer<typeof BatchJobData>;

export const BatchJobResult = z.object({
  total: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
});
export type BatchJobResult = z.infer<typeof BatchJobResult>;

/** The job payload of each kind, without what the producer adds (kind, batch id, index). */
export interface ItemInputs {
  faq: Omit<FaqJobData, 'kind' | 'batchId' | 'index'>;
  route: Omit<RouteJobData, 'kind' | 'batchId' | 'index'>;
}

/** The result of each kind. */
export interface ItemResults {
  faq: FaqJobResult;
  route: RouteJobResult;
}
