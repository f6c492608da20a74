import { z } from 'zod';
import type { Run } from '../../core/run.js';
import type { RouterConfig } from './support-intents.js';

/** How the support router classifies: its closed set of intents, its prompt and its fallback. */
export interface SupportClassifier {
  intents: z.ZodEnum<Record<string, string>>;
  classify: (query: string) => { system: string; prompt: string };
  fallback: string;
}

/** What the classifier made of one query. */
export interface ClassifiedQuery {
  /** The intent the query goes to: the classified one, or the fallback. */
  intent: string;
  /** The classification failed (invalid after repairs, or the call failed) and `intent` is the fallback. */
  fellBack: boolean;
  /** Why the fallback was taken. */
  reason?: string;
}

/**
 * The support router's classifier for a config. `routeQuery` and `classifyQuery` both build their
 * route from this one definition, so an evaluation sends the very prompt production sends.
 */
export function supportClassifier({ intents, fallback }: RouterConfig): SupportClassifier {
  const Intent = z.enum(intents.map((intent) => intent.name) as [string, ...string[]]);
  const catalogue = intents.map((intent) => `- ${intent.name}: ${intent.description}`).join('\n');
  return {
    intents: Intent,
    classify: (query) => ({
      system: `Classify customer queries into exactly one of these intents:\n${catalogue}`,
      prompt: `Query: ${query}`,
    }),
    fallback,
  };
}

/**
 * The support router's classification step alone: which intent a query goes to, without calling
 * that intent's handler. For measuring the router (`braid eval route`).
 *
 * @example
 * const { intent, fellBack } = await classifyQuery(run, 'I was charged twice', await loadRouterConfig());
 */
export async function classifyQuery(run: Run, query: string, config: RouterConfig): Promise<ClassifiedQuery> {
  // the real route with handlers that do nothing: the classify step (prompt, schema, repairs,
  // fallback) is exactly the one routeQuery runs, and no handler call is made or paid for
  const handlers = Object.fromEntries(config.intents.map((intent) => [intent.name, async () => undefined])) as Record<string, () => Promise<undefined>>;
  const routed = await run.route(query, { ...supportClassifier(config), handlers });
  return { intent: routed.intent, fellBack: routed.fellBack, ...(routed.reason === undefined ? {} : { reason: routed.reason }) };
}
