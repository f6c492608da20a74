import { z } from 'zod';
import { InvalidOutputError } from './errors.js';
import type { Run } from './run.js';

/** One handler per intent, each run in a scope named after its intent. */
export type RouteHandlers<Intents extends z.ZodEnum, Input> = { [Intent in z.infer<Intents>]: (input: Input, run: Run) => Promise<unknown> };

/** What the handlers return, whichever one ran. */
export type RouteResult<Handlers> = Handlers extends Record<string, (...args: never[]) => Promise<infer Result>> ? Result : never;

export interface RouteOptions<Intents extends z.ZodEnum, Input, Handlers extends RouteHandlers<Intents, Input>> {
  /** The closed set of intents. */
  intents: Intents;
  /** Builds the classification prompt for an input. Put shared instructions in `system`. */
  classify: (input: Input) => { system?: string; prompt: string };
  /** One handler per intent, each run in a scope named after its intent; the type demands them all. */
  handlers: Handlers;
  /** Where an input goes when the classification cannot be had or is not one of the intents. */
  fallback: z.infer<Intents>;
  /** Names the route's scope. @default 'route' */
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
 * the fallback route, never drops the input; a provider error is thrown as it is. The run's
 * `route` method.
 */
export async function route<Intents extends z.ZodEnum, Input, Handlers extends RouteHandlers<Intents, Input>>(
  run: Run,
  input: Input,
  { intents, classify, handlers, fallback, name = 'route' }: RouteOptions<Intents, Input, Handlers>,
): Promise<Routed<z.infer<Intents>, RouteResult<Handlers>>> {
  return run.group(name, async (routeRun) => {
    const Classification = z.object({ intent: intents }) as unknown as z.ZodType<{ intent: z.infer<Intents> }>;
    let intent: z.infer<Intents> = fallback;
    let reason: string | undefined;
    try {
      const classified = await routeRun.step({ name: 'classify', schema: Classification, maxOutputTokens: 64, ...classify(input) });
      intent = classified.intent;
    } catch (error) {
      // only a classification the model could not give takes the fallback; a provider that is
      // down or refuses the key would fail the fallback handler too, so that error is the answer
      if (!(error instanceof InvalidOutputError)) throw error;
      reason = error.message;
    }
    const handler = handlers[intent as keyof Handlers] as (input: Input, run: Run) => Promise<RouteResult<Handlers>>;
    const result = await routeRun.group(String(intent), (handlerRun) => handler(input, handlerRun));
    return { intent, fellBack: reason !== undefined, ...(reason === undefined ? {} : { reason }), result };
  });
}
