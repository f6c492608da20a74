import { z } from 'zod';
import { InputError, InvalidSignalError } from './errors.js';

/**
 * Checks a signal's value against the JSON Schema its wait recorded, as zod reads that schema, and
 * returns it as JSON text to store. The run checks the answer again with its own zod schema when
 * it reaches the wait (refinements JSON Schema cannot say), so this is the shape, caught before
 * anything is stored.
 *
 * @throws {InvalidSignalError} with zod's description of what does not fit.
 * @throws {InputError} when the value is not JSON (`undefined`, a function).
 */
export function checkSignalValue(runId: string, key: string, schema: unknown, value: unknown): string {
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined) throw new InputError(`a signal carries a JSON value; this one is ${typeof value}`);
  if (schema === undefined || schema === null) return text;
  let validator: z.ZodType;
  try {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    return text; // a schema zod cannot rebuild: the run's own check, when it reaches the wait, is the one that counts
  }
  // the value as the run will read it back: through JSON
  const parsed = validator.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InvalidSignalError(runId, key, z.prettifyError(parsed.error), { cause: parsed.error });
  return text;
}
