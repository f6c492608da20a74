import { z } from 'zod';
import { InputError } from '../core/errors.js';

/** One parsed line, with its 1-based line number in the source so reports can point at it. */
export type NumberedLine<T> = T & { line: number };

/**
 * Parses JSON Lines text against a schema: one object per non-blank line. A line that is not JSON
 * or fails the schema throws an `InputError` naming the source and the line number.
 *
 * @example
 * const labelled = parseJsonLines(text, z.object({ q: z.string() }), { source: 'labels.jsonl' });
 * // [{ q: 'Where is my order?', line: 1 }, ...]
 */
export function parseJsonLines<Schema extends z.ZodType<Record<string, unknown>>>(
  text: string,
  schema: Schema,
  { source = 'the input' }: { source?: string } = {},
): NumberedLine<z.infer<Schema>>[] {
  const parsed: NumberedLine<z.infer<Schema>>[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    const line = index + 1;
    if (content.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch (error) {
      throw new InputError(`${source} line ${line} is not valid JSON`, { cause: error });
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      throw new InputError(`${source} line ${line} is invalid: ${describeIssues(result.error)}`, { cause: result.error });
    }
    parsed.push({ ...result.data, line });
  });
  if (parsed.length === 0) throw new InputError(`${source} holds no lines`);
  return parsed;
}

/** The issues on one line: a line of JSONL reads better than zod's multi-line report. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}
