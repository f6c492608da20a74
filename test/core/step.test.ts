import { describe, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createRuntime, InvalidOutputError } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { modelOn, QUICK_RETRY, WIRES } from '../support/wire-models.js';

const Fact = z.object({
  metal: z.enum(['iron', 'cobalt', 'zinc']),
  fact: z.string().min(1).max(120),
  atomicNumber: z.number().int().min(1).max(118),
  uses: z.array(z.string().max(40)).min(1).max(3),
});

async function fakeServer(options: Parameters<typeof startFakeProvider>[0] = {}) {
  const server = await startFakeProvider({ seed: 7, ...options });
  onTestFinished(() => server.close());
  return server;
}

describe.each(WIRES)('a typed step on the %s wire', (wire) => {
  test('returns a value valid against its schema, with tokens recorded', async () => {
    const server = await fakeServer();
    const braid = createRuntime({ model: modelOn(wire, server), retry: QUICK_RETRY });
    const value = await braid.step({ name: 'fact', prompt: 'One fact about iron', schema: Fact });
    expect(Fact.parse(value)).toEqual(value);
    const [attempt] = braid.spans().filter((span) => span.kind === 'attempt');
    expect(attempt?.inputTokens).toBeGreaterThan(0);
    expect(attempt?.outputTokens).toBeGreaterThan(0);
    expect(server.stats().timeline.map((request) => request.wire)).toEqual([wire === 'openai-compatible' ? 'openai' : wire === 'google' ? 'gemini' : wire]);
  });

  test('returns text when no schema is given', async () => {
    const server = await fakeServer({ rules: [{ match: /greet/, text: 'Hello from the fake provider.' }] });
    const braid = createRuntime({ model: modelOn(wire, server) });
    await expect(braid.step({ name: 'greet', prompt: 'greet me' })).resolves.toBe('Hello from the fake provider.');
  });

  test('repairs malformed output by re-asking with the validation error', async () => {
    const server = await fakeServer({ rules: [{ match: /cobalt/, text: '{"metal": "cobalt", "fact": ', times: 1 }] });
    const braid = createRuntime({ model: modelOn(wire, server), retry: QUICK_RETRY });
    const value = await braid.step({ name: 'fact', prompt: 'One fact about cobalt', schema: Fact });
    expect(Fact.safeParse(value).success).toBe(true);
    const requests = server.stats().timeline;
    expect(requests).toHaveLength(2);
    expect(requests[1]!.prompt).toContain('Your previous answer was not valid');
    expect(braid.spans().find((span) => span.kind === 'step')?.attempts).toBe(2);
  });
});

test('a step that keeps answering invalid output fails with a typed error carrying the raw output', async () => {
  const server = await fakeServer({ rules: [{ match: /zinc/, json: { metal: 'zinc', fact: 'no atomic number here' } }] });
  const braid = createRuntime({ model: modelOn('openai', server), repairs: 2 });
  const failure = await braid.step({ name: 'fact', prompt: 'One fact about zinc', schema: Fact }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(InvalidOutputError);
  const error = failure as InvalidOutputError;
  expect(error.attempts).toBe(3);
  expect(JSON.parse(error.rawOutput)).toEqual({ metal: 'zinc', fact: 'no atomic number here' });
  expect(error.cause).toBeDefined();
  expect(server.stats().requests).toBe(3);
});

test('schema-violating output from the fault injector is repaired too', async () => {
  const server = await fakeServer({ faults: { schemaViolation: 1 } });
  const braid = createRuntime({ model: modelOn('google', server), repairs: 1 });
  const failure = await braid.step({ name: 'fact', prompt: 'One fact about iron', schema: Fact }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(InvalidOutputError);
  expect(server.stats().requests).toBe(2);
});
