import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { BraidError } from './errors.js';
import type { Span } from './span.js';

/** A trace file that cannot be read, or a line in it that is not a span. */
export class TraceFileError extends BraidError {
  override name = 'TraceFileError';
  readonly path: string;
  /** 1-based line number of the bad line; undefined when the file itself could not be read. */
  readonly line: number | undefined;
  constructor(path: string, line: number | undefined, message: string, options?: { cause: unknown }) {
    super(line === undefined ? `${path}: ${message}` : `${path}:${line}: ${message}`, options);
    this.path = path;
    this.line = line;
  }
}

// loose: a trace written by a newer braid with extra fields still opens
export const SpanLine = z.looseObject({
  id: z.string(),
  parentId: z.string().optional(),
  runId: z.string(),
  kind: z.enum(['run', 'group', 'step', 'attempt', 'effect', 'wait']),
  name: z.string(),
  model: z.string().optional(),
  start: z.number(),
  end: z.number(),
  status: z.enum(['ok', 'error', 'cancelled', 'waiting']),
  attempts: z.number().optional(),
  waitMs: z.number().optional(),
  backoffMs: z.number().optional(),
  rateLimited: z.boolean().optional(),
  httpStatus: z.number().optional(),
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  cachedInputTokens: z.number().optional(),
  costUsd: z.number().optional(),
  replayed: z.enum(['cache', 'journal']).optional(),
  prompt: z.string().optional(),
  output: z.string().optional(),
  error: z.string().optional(),
}) satisfies z.ZodType<Span>;

/**
 * Reads a JSONL trace (as written with `traceFile` / `--trace`), one span a line, streaming so
 * a large run does not need the file twice in memory. Blank lines are skipped.
 *
 * @throws {TraceFileError} when the file cannot be read or a line is not a JSON span; `line` says which.
 * @example
 * const spans = await readTraceFile('run.trace.jsonl');
 */
export async function readTraceFile(path: string): Promise<Span[]> {
  const spans: Span[] = [];
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      spans.push(parseSpanLine(path, lineNumber, line));
    }
  } catch (error) {
    if (error instanceof TraceFileError) throw error;
    throw new TraceFileError(path, undefined, `cannot read the trace file (${describe(error)})`, { cause: error });
  } finally {
    lines.close();
  }
  return spans;
}

function parseSpanLine(path: string, lineNumber: number, line: string): Span {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new TraceFileError(path, lineNumber, `not valid JSON (${describe(error)})`, { cause: error });
  }
  const parsed = SpanLine.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
    throw new TraceFileError(path, lineNumber, `not a span${where}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  return parsed.data;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
