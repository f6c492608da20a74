import { z } from 'zod';
import { defineBatchWorkflow } from '../../core/batch-workflow.js';
import { routeQuery } from './route-query.js';
import { IntentDefinition } from './support-intents.js';

/** The router's intents and fallback, as `loadRouterConfig` returns them. */
export const RouterConfigPayload = z.object({
  intents: z.array(IntentDefinition).min(1),
  fallback: z.string().min(1),
});

export const RouteQueryInput = z.object({
  query: z.string().min(1),
  config: RouterConfigPayload,
});
export type RouteQueryInput = z.infer<typeof RouteQueryInput>;

export const RouteQueryOutput = z.object({
  intent: z.string(),
  response: z.string(),
  /** The classifier failed and the fallback intent answered. */
  fellBack: z.boolean(),
});
export type RouteQueryOutput = z.infer<typeof RouteQueryOutput>;

/**
 * The `route` batch workflow: classify one support query and answer it, as `braid route --batch`
 * runs it locally and on workers.
 *
 * @example
 * const results = await createLocalRunner(run).run(routeQueryWorkflow, queries.map((query) => ({ query, config })));
 */
export const routeQueryWorkflow = defineBatchWorkflow({
  name: 'route',
  input: RouteQueryInput,
  output: RouteQueryOutput,
  run: (run, { query, config }) => routeQuery(run, query, config),
  label: ({ query }) => (query.length <= 48 ? query : `${query.slice(0, 47)}…`),
});
