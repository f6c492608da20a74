import type { Run } from '../../core/run.js';
import type { StepStream } from '../../core/step-stream.js';
import { supportClassifier, type SupportClassifier } from './classify-query.js';
import type { RouterConfig } from './support-intents.js';

export interface RoutedQuery {
  intent: string;
  response: string;
  /** The classifier failed and the fallback intent answered. */
  fellBack: boolean;
}

export interface RouteQueryOptions {
  /**
   * Streams the answer: called with it as soon as its handler starts (the intent is known then),
   * instead of the handler waiting for the whole answer. The result is the same either way.
   */
  onAnswerStream?: (answer: StepStream<undefined>, intent: string) => void;
}

/**
 * The support router: classify the query into one of the configured intents (a closed enum),
 * then answer with that intent's specialised handler.
 */
export async function routeQuery(run: Run, query: string, config: RouterConfig, { onAnswerStream }: RouteQueryOptions = {}): Promise<RoutedQuery> {
  const handlers = Object.fromEntries(
    config.intents.map((intent) => [
      intent.name,
      (text: string, handler: Run) => {
        const respond = { name: 'respond', system: intent.prompt, prompt: text, maxOutputTokens: 400 };
        if (!onAnswerStream) return handler.step(respond);
        // the same step at the same position, streamed: a run may stream on one try and not on its resume
        const answer = handler.stream(respond);
        onAnswerStream(answer, intent.name);
        return answer.value;
      },
    ]),
  ) as Record<string, (text: string, handler: Run) => Promise<string>>;
  // the classifier is shared with classifyQuery, so `braid eval route` measures this very step
  const routed = await run.route<SupportClassifier['intents'], string, typeof handlers>(query, { ...supportClassifier(config), handlers });
  return { intent: routed.intent, response: routed.result.trim(), fellBack: routed.fellBack };
}
