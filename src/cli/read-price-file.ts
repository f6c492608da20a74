import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { PriceTable } from '../core/prices.js';

const PriceFile = z.record(
  z.string().regex(/^[a-z-]+:.+$/, 'keys are provider:model (or provider:* for a whole provider)'),
  z.strictObject({ input: z.number().min(0), output: z.number().min(0), cachedInput: z.number().min(0).optional() }),
);

/**
 * `--prices FILE`: USD per million tokens by `provider:model`, merged over braid's table, e.g.
 * `{"openai:gpt-5-mini": {"input": 0.25, "output": 2, "cachedInput": 0.025}}`.
 *
 * @throws {InputError} naming the file and what is wrong with it.
 */
export async function readPriceFile(file: string): Promise<PriceTable> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new InputError(`cannot read the price file ${file}`, { cause: error });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`the price file ${file} is not valid JSON`, { cause: error });
  }
  const parsed = PriceFile.safeParse(json);
  if (!parsed.success) throw new InputError(`the price file ${file} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
