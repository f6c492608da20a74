import type { Run } from '../../core/run.js';
import { supportClassifier, type SupportClassifier } from './classify-query.js';
import type { RouterConfig } from './support-intents.js';

export interface RoutedQuery {
  intent: string;
  response: string;
  /** The classifier failed and the fallback intent answered. */
  fellBack: boolean;
}

/**
 * The support router: classify the query into one of the configured intents (a closed enum),
 * then answer with that intent's specialised handler.
 */
export async function routeQuery(run: Run, query: string, config: RouterConfig): Promise<RoutedQuery> {
  const handlers = Object.fromEntries(
    config.intents.map((intent) => [
      intent.name,
      (text: string, handler: Run) => handler.step({ name: 'respond', system: intent.prompt, prompt: text, maxOutputTokens: 400 }),
    ]),
  ) as Record<string, (text: string, handler: Run) => Promise<string>>;
  // the classifier is shared with classifyQuery, so `braid eval route` measures this very step
  const routed = await run.route<SupportClassifier['intents'], string, typeof handlers>(query, { ...supportClassifier(config), handlers });
  return { intent: routed.intent, response: routed.result.trim(), fellBack: routed.fellBack };
}
