import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What a step's answer depends on. */
export interface StepMaterial {
  modelKey: string;
  system?: string;
  prompt: string;
  schema?: z.ZodType;
  temperature?: number;
  maxOutputTokens?: number;
}

/** A step schema as JSON Schema, as an object and as text. */
export interface ConvertedSchema {
  json: object;
  text: string;
}

// converting a schema walks it; a fan-out sends the same schema object many times
const converted = new WeakMap<z.ZodType, ConvertedSchema>();

/** The step's schema as JSON Schema, converted once per schema object. */
export function convertSchema(schema: z.ZodType): ConvertedSchema {
  let result = converted.get(schema);
  if (result === undefined) {
    const json = z.toJSONSchema(schema) as object;
    result = { json, text: JSON.stringify(json) };
    converted.set(schema, result);
  }
  return result;
}

/**
 * A hash of everything that shapes a step's answer: model, instructions, prompt, JSON schema,
 * temperature and output cap. It keys the response cache, and the journal records it beside each
 * result, so a resume after the prompt (or model, or schema) changed runs the step again.
 */
export function stepFingerprint({ modelKey, system, prompt, schema, temperature, maxOutputTokens }: StepMaterial): string {
  const material = JSON.stringify([modelKey, system ?? null, prompt, schema ? convertSchema(schema).text : null, temperature ?? null, maxOutputTokens ?? null]);
  return createHash('sha256').update(material).digest('hex');
}

/** A hash of any JSON value, with object keys in a fixed order, so equal values hash equal. */
export function valueFingerprint(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableJson(entry)}`).join(',')}}`;
}
