import { createHash, randomUUID } from 'node:crypto';
import { createOtelBridge } from './otel-bridge.js';
import { createRunTally, type RunTally } from './run-summary.js';
import type { Span, SpanStatus } from './span.js';
import { createTraceFileWriter } from './trace-file.js';
import { redactSecrets } from './redact-secrets.js';

export type SpanFields = Omit<Span, 'id' | 'runId' | 'start' | 'end' | 'status'> & { start?: number };

/** Opens and closes a run's spans, and hands each closed one to every sink (the tally, memory, trace file, OTel, `onSpan`). */
export interface SpanRecorder {
  open(fields: SpanFields): Span;
  close(span: Span, status: SpanStatus, end?: number): void;
  /** Every span so far, when they are retained; else none. */
  all(): readonly Span[];
  readonly tally: RunTally;
}

export interface SpanRecorderOptions {
  runId: string;
  traceFile?: string;
  onSpan?: (span: Span) => void;
  /** Keep every span in memory for `all()`. A batch that writes them to a store or a trace need not. */
  retain: boolean;
}

export function createSpanRecorder({ runId, traceFile, onSpan, retain }: SpanRecorderOptions): SpanRecorder {
  const traceWriter = traceFile ? createTraceFileWriter(traceFile) : undefined;
  const otel = createOtelBridge();
  const spans: Span[] = [];
  // spans reach the tally as they end, so it may fold finished scopes: a big batch's summary in bounded memory
  const tally = createRunTally(runId, Date.now(), { foldAbove: 10_000 });
  return {
    open(fields) {
      const span: Span = { id: spanIdOf(runId, fields), runId, start: Date.now(), end: 0, status: 'ok', ...fields };
      if (retain) spans.push(span);
      otel.start(span);
      return span;
    },
    close(span, status, end = Date.now()) {
      span.end = end;
      span.status = status;
      // every sink (memory, trace, OTel, the store and the viewer) gets the error without secrets
      if (span.error !== undefined) span.error = redactSecrets(span.error);
      tally.add(span);
      otel.end(span);
      traceWriter?.write(span);
      onSpan?.(span);
    },
    all: () => spans,
    tally,
  };
}

/**
 * A span that has a position (the run, a group, a step, an effect) gets the same id in every
 * session of the run, so a resumed run's trace continues the earlier one instead of repeating it.
 * Attempts are events: each gets an id of its own.
 */
function spanIdOf(runId: string, { kind, key }: SpanFields): string {
  if (kind === 'attempt' || key === undefined) return randomUUID();
  return createHash('sha256').update(`${runId}\u0000${kind}\u0000${key}`).digest('hex').slice(0, 32);
}
