import { createHash, randomUUID } from 'node:crypto';
import { createOtelBridge } from './otel-bridge.js';
import type { Span, SpanStatus } from './span.js';
import { createTraceFileWriter } from './trace-file.js';

export type SpanFields = Omit<Span, 'id' | 'runId' | 'start' | 'end' | 'status'> & { start?: number };

/** Opens and closes a run's spans, and hands each closed one to every sink (memory, trace file, OTel, `onSpan`). */
export interface SpanRecorder {
  open(fields: SpanFields): Span;
  close(span: Span, status: SpanStatus, end?: number): void;
  all(): readonly Span[];
}

export interface SpanRecorderOptions {
  runId: string;
  traceFile?: string;
  onSpan?: (span: Span) => void;
}

export function createSpanRecorder({ runId, traceFile, onSpan }: SpanRecorderOptions): SpanRecorder {
  const traceWriter = traceFile ? createTraceFileWriter(traceFile) : undefined;
  const otel = createOtelBridge();
  const spans: Span[] = [];
  return {
    open(fields) {
      const span: Span = { id: spanIdOf(runId, fields), runId, start: Date.now(), end: 0, status: 'ok', ...fields };
      spans.push(span);
      otel.start(span);
      return span;
    },
    close(span, status, end = Date.now()) {
      span.end = end;
      span.status = status;
      otel.end(span);
      traceWriter?.write(span);
      onSpan?.(span);
    },
    all: () => spans,
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
