import { z } from 'zod';
import { InvalidOutputError } from './errors.js';
import type { Runtime } from './runtime.js';
import { group } from './scope.js';

export interface RouteOptions<Intents extends z.ZodEnum, Input, Result> {
  /** The closed set of intents. */
  intents: Intents;
  /** Builds the classification prompt for an input. Put shared instructions in `system`. */
  classify: (input: Input) => { system?: string; prompt: string };
  /** One handler per intent; the type demands them all. */
  handlers: { [Intent in z.infer<Intents>]: (input: Input) => Promise<Result> };
  /** Where an input goes when the classification cannot be had or is not one of the intents. */
  fallback: z.infer<Intents>;
  name?: string;
}

export interface Routed<Intent, Result> {
  intent: Intent;
  /** True when the classifier failed and `fallback` was used instead. */
  fellBack: boolean;
  /** Why the fallback was taken. */
  reason?: string;
  result: Result;
}

/**
 * Classifies the input into one of a closed set of intents, then hands it to that intent's
 * handler. A classification the model cannot give (invalid after repairs, or not an intent) takes
 * the fallback route, never drops the input; a provider error is thrown as it is.
 *
 * @example
 * const Intent = z.enum(['Technical Support', 'Billing Inquiry', 'General Question']);
 * const reply = await route(braid, query, {
 *   intents: Intent,
 *   classify: (q) => ({ prompt: `Classify: ${q}` }),
 *   handlers: { 'Technical Support': tech, 'Billing Inquiry': billing, 'General Question': general },
 *   fallback: 'General Question',
 * });
 */
export async function route<Intents extends z.ZodEnum, Input, Result>(
  braid: Runtime,
  input: Input,
  { intents, classify, handlers, fallback, name = 'route' }: RouteOptions<Intents, Input, Result>,
): Promise<Routed<z.infer<Intents>, Result>> {
  return group(name, async () => {
    const Classification = z.object({ intent: intents }) as unknown as z.ZodType<{ intent: z.infer<Intents> }>;
    let intent: z.infer<Intents> = fallback;
    let reason: string | undefined;
    try {
      const classified = await braid.step({ name: 'classify', schema: Classification, maxOutputTokens: 64, ...classify(input) });
      intent = classified.intent;
    } catch (error) {
      // only a classification the model could not give takes the fallback; a provider that is
      // down or refuses the key would fail the fallback handler too, so that error is the answer
      if (!(error instanceof InvalidOutputError)) throw error;
      reason = error.message;
    }
    const handler = handlers[intent as keyof typeof handlers];
    const result = await group(String(intent), () => handler(input));
    return { intent, fellBack: reason !== undefined, ...(reason === undefined ? {} : { reason }), result };
  });
}
