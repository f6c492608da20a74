import { z } from 'zod';
import { route } from '../../core/route.js';
import type { Runtime } from '../../core/runtime.js';
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
export async function routeQuery(braid: Runtime, query: string, { intents, fallback }: RouterConfig): Promise<RoutedQuery> {
  const names = intents.map((intent) => intent.name) as [string, ...string[]];
  const Intent = z.enum(names);
  const catalogue = intents.map((intent) => `- ${intent.name}: ${intent.description}`).join('\n');
  const handlers = Object.fromEntries(
    intents.map((intent) => [
      intent.name,
      (text: string) => braid.step({ name: 'respond', system: intent.prompt, prompt: text, maxOutputTokens: 400 }),
    ]),
  ) as Record<string, (text: string) => Promise<string>>;
  const routed = await route<typeof Intent, string, string>(braid, query, {
    intents: Intent,
    classify: (text) => ({
      system: `Classify customer queries into exactly one of these intents:\n${catalogue}`,
      prompt: `Query: ${text}`,
    }),
    handlers,
    fallback,
  });
  return { intent: routed.intent, response: routed.result.trim(), fellBack: routed.fellBack };
}
