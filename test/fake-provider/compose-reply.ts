import { loremSentence } from './lorem.js';
import type { FaultKind } from './pick-fault.js';
import { createValueFromSchema } from './schema-value.js';
import { violateSchema } from './schema-violation.js';
import { createSeededRandom, hashText } from './seeded-random.js';
import type { ModelReply, ModelRequest } from './wire.js';

/** The part of a rule that decides the answer's content. */
export interface ScriptedContent {
  /** Returned verbatim as the model's content (may be broken JSON on purpose). */
  text?: string;
  /** Serialised as the model's content. */
  json?: unknown;
}

/**
 * The model's answer to a request: scripted content if given, else a value generated from the schema
 * (or a sentence, or a small JSON object), deterministic from the seed and the prompt, so a retry of the
 * same prompt gets the same answer on every wire.
 *
 * @example
 * composeReply(request, { seed: 1 }); // { type: 'text', text: 'Lorem dolor ...' }
 */
export function composeReply(request: ModelRequest, { seed, scripted }: { seed: number; scripted?: ScriptedContent }): ModelReply {
  const random = createSeededRandom(hashText(`${seed}\u0000${request.prompt}`));
  const { output } = request;
  let content: string;
  if (scripted?.json !== undefined) content = JSON.stringify(scripted.json);
  else if (scripted?.text !== undefined) content = scripted.text;
  else if (output.type === 'text') content = loremSentence(random);
  else if (output.type === 'json' && output.schema === undefined) content = JSON.stringify({ answer: loremSentence(random) });
  else content = JSON.stringify(createValueFromSchema(output.schema, random));
  return output.type === 'tool-call'
    ? { type: 'tool-call', toolName: output.toolName, argumentsText: content }
    : { type: 'text', text: content };
}

/**
 * Applies a content fault to a reply. Returns undefined when the fault does not apply (broken JSON needs
 * a structured request, a violation needs a schema), so the caller records only faults that reached the wire.
 */
export function corruptReply(request: ModelRequest, reply: ModelReply, fault: FaultKind): ModelReply | undefined {
  const { output } = request;
  const content = reply.type === 'text' ? reply.text : reply.argumentsText;
  let corrupted: string | undefined;
  if (fault === 'malformedJson' && output.type !== 'text') {
    corrupted = truncateJson(content);
  } else if (fault === 'schemaViolation' && output.type !== 'text' && output.schema !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      return undefined; // already not JSON: nothing left to violate
    }
    const violation = violateSchema(output.schema, value);
    if (violation.isViolated) corrupted = JSON.stringify(violation.value);
  }
  if (corrupted === undefined) return undefined;
  return reply.type === 'text' ? { type: 'text', text: corrupted } : { ...reply, argumentsText: corrupted };
}

// cut mid-value like a model that ran out of tokens; scalars that stay valid when cut get an opening brace
function truncateJson(content: string): string {
  const truncated = content.slice(0, Math.max(1, Math.floor(content.length / 2)));
  try {
    JSON.parse(truncated);
    return `{"${truncated}`;
  } catch {
    return truncated;
  }
}
