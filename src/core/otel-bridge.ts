import { context, SpanStatusCode, trace, type Span as OtelSpan } from '@opentelemetry/api';
import type { Span } from './span.js';

/**
 * Mirrors braid spans into OpenTelemetry with the GenAI semantic conventions. Without a
 * registered OTel SDK the API hands out no-op spans, so this costs next to nothing.
 */
export interface OtelBridge {
  start(span: Span): void;
  end(span: Span): void;
}

export function createOtelBridge(): OtelBridge {
  const tracer = trace.getTracer('braid');
  const open = new Map<string, OtelSpan>();
  return {
    start(span) {
      const parent = span.parentId ? open.get(span.parentId) : undefined;
      const parentContext = parent ? trace.setSpan(context.active(), parent) : context.active();
      // GenAI conventions name a call span "{operation} {model}"
      const name = span.kind === 'attempt' && span.model ? `chat ${span.model.slice(span.model.indexOf(':') + 1)}` : `${span.kind} ${span.name}`;
      open.set(span.id, tracer.startSpan(name, { startTime: span.start, attributes: { 'braid.kind': span.kind, 'braid.run_id': span.runId } }, parentContext));
    },
    end(span) {
      const otelSpan = open.get(span.id);
      if (!otelSpan) return;
      open.delete(span.id);
      if (span.model) {
        const [provider, ...model] = span.model.split(':');
        otelSpan.setAttributes({
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': provider ?? '',
          'gen_ai.request.model': model.join(':'),
        });
      }
      if (span.inputTokens !== undefined) otelSpan.setAttribute('gen_ai.usage.input_tokens', span.inputTokens);
      if (span.outputTokens !== undefined) otelSpan.setAttribute('gen_ai.usage.output_tokens', span.outputTokens);
      if (span.costUsd !== undefined) otelSpan.setAttribute('braid.cost_usd', span.costUsd);
      if (span.attempts !== undefined) otelSpan.setAttribute('braid.attempts', span.attempts);
      if (span.waitMs !== undefined) otelSpan.setAttribute('braid.limiter_wait_ms', span.waitMs);
      if (span.firstTokenMs !== undefined) otelSpan.setAttribute('braid.time_to_first_token_ms', span.firstTokenMs);
      if (span.status === 'error') otelSpan.setStatus({ code: SpanStatusCode.ERROR, message: span.error ?? 'error' });
      otelSpan.end(span.end);
    },
  };
}
