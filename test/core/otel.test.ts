import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { modelOn } from '../support/wire-models.js';

test('with an OpenTelemetry SDK registered, spans follow the GenAI conventions and keep their parents', async () => {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  onTestFinished(() => trace.disable());
  const server = await startFakeProvider();
  onTestFinished(() => server.close());

  const braid = createRuntime({ model: modelOn('openai', server), name: 'facts' });
  await braid.group('facts', (run) => run.step({ name: 'fact', prompt: 'One fact', schema: z.object({ fact: z.string().max(50) }) }));
  braid.finish();

  const spans = exporter.getFinishedSpans();
  const call = spans.find((span) => span.name === 'chat test-model');
  expect(call?.attributes).toMatchObject({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'test-model',
  });
  expect(call?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  expect(call?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const parentName = (span: (typeof spans)[number]) => byId.get(span.parentSpanContext?.spanId ?? '')?.name;
  expect(parentName(call!)).toBe('step fact');
  expect(parentName(spans.find((span) => span.name === 'step fact')!)).toBe('group facts');
  expect(parentName(spans.find((span) => span.name === 'group facts')!)).toBe('run facts');
});

test('a streamed step and its attempt carry their time to first token', async () => {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  onTestFinished(() => trace.disable());
  const server = await startFakeProvider();
  onTestFinished(() => server.close());

  const braid = createRuntime({ model: modelOn('openai', server) });
  await braid.stream({ name: 'fact', prompt: 'One fact' }).value;
  braid.finish();

  const spans = exporter.getFinishedSpans();
  const firstTokenOf = (name: string) => spans.find((span) => span.name === name)?.attributes['braid.time_to_first_token_ms'];
  expect(firstTokenOf('step fact')).toBe(braid.spans().find((span) => span.kind === 'step')!.firstTokenMs);
  expect(firstTokenOf('step fact')).toBeGreaterThanOrEqual(0);
  expect(firstTokenOf('chat test-model')).toBeGreaterThanOrEqual(0);
});
