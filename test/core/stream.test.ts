import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, onTestFinished, test, vi } from 'vitest';
import { z } from 'zod';
import { CostLimitError, createRuntime, ProviderCallError, RunCancelledError, type StreamEvent } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { collectEvents, createMemoryStore, isPrefixConsistent, parseServerSentEvents } from '../support/stream-checks.js';
import { modelOn, QUICK_RETRY, WIRES } from '../support/wire-models.js';

const Fact = z.object({
  metal: z.enum(['iron', 'cobalt', 'zinc']),
  fact: z.string().min(1).max(120),
  atomicNumber: z.number().int().min(1).max(118),
  uses: z.array(z.string().max(40)).min(1).max(3),
});
type Fact = z.infer<typeof Fact>;

async function fakeServer(options: Parameters<typeof startFakeProvider>[0] = {}) {
  const server = await startFakeProvider({ seed: 7, ...options });
  onTestFinished(() => server.close());
  return server;
}

const typesOf = (events: readonly StreamEvent<typeof Fact>[]) => events.map((event) => event.type);
const partialsOf = (events: readonly StreamEvent<typeof Fact>[]) => events.flatMap((event) => (event.type === 'partial' ? [event.partial] : []));

describe.each(WIRES)('a streamed step on the %s wire', (wire) => {
  test('partials arrive while the answer is still on the wire, each a prefix of the next and of the final value', async () => {
    // per-token latency spreads the answer over time, as a real model writes it
    const server = await fakeServer({ latencyPerTokenMs: 2 });
    const braid = createRuntime({ model: modelOn(wire, server), retry: QUICK_RETRY });
    const stream = braid.stream({ name: 'fact', prompt: 'One fact about iron', schema: Fact });
    let isSettled = false;
    void stream.value.then(() => (isSettled = true));

    const partials: unknown[] = [];
    let seenFirst: { isSettled: boolean; isRequestOpen: boolean } | undefined;
    for await (const partial of stream.partialStream) {
      seenFirst ??= { isSettled, isRequestOpen: server.stats().timeline[0]?.end === 0 };
      partials.push(partial);
    }
    const value = await stream.value;

    expect(seenFirst).toEqual({ isSettled: false, isRequestOpen: true });
    expect(Fact.parse(value)).toEqual(value);
    expect(partials.length).toBeGreaterThan(2);
    expect(partials.at(-1)).toEqual(value);
    for (const [index, partial] of partials.entries()) {
      expect(isPrefixConsistent(partial, value), JSON.stringify(partial)).toBe(true);
      if (index > 0) expect(isPrefixConsistent(partials[index - 1], partial)).toBe(true);
    }
    expect(server.stats().requests).toBe(1);
  });

  test('a connection cut mid-answer is retried: a reset, then the answer again, and a valid value', async () => {
    const server = await fakeServer({ rules: [{ match: /iron/, fault: 'cutMidStream', times: 1 }] });
    const { journal, journalWrites } = createMemoryStore();
    const braid = createRuntime({ model: modelOn(wire, server), retry: QUICK_RETRY, journal });
    const stream = braid.stream({ name: 'fact', prompt: 'One fact about iron', schema: Fact });
    const { events, error } = await collectEvents(stream);
    expect(error).toBeUndefined();

    const types = typesOf(events);
    const reset = types.indexOf('reset');
    expect(types.slice(0, reset)).toContain('text'); // the cut attempt had streamed part of its answer
    expect(events[reset]).toEqual({ type: 'reset', reason: 'retry', attempt: 2 });
    expect(types.slice(reset + 1)).toContain('text');
    expect(types.at(-1)).toBe('value');

    const value = await stream.value;
    expect(Fact.parse(value)).toEqual(value);
    // the text after the reset is the whole second answer
    const textAfterReset = events.slice(reset + 1).flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
    expect(JSON.parse(textAfterReset)).toEqual(value);
    for (const partial of partialsOf(events.slice(reset + 1))) expect(isPrefixConsistent(partial, value)).toBe(true);

    expect(server.stats().byStatus).toEqual({ '0': 1, '200': 1 });
    expect(journalWrites).toEqual([['/fact#0', { value, inputHash: expect.any(String) }]]);
    const [step] = braid.spans().filter((span) => span.kind === 'step');
    expect(step).toMatchObject({ attempts: 2, status: 'ok' });
  });

  test('a malformed final JSON is repaired: a reset, the re-asked answer streams, and only it is journaled', async () => {
    const server = await fakeServer({ rules: [{ match: /cobalt/, text: '{"metal": "cobalt", "fact": ', times: 1 }] });
    const { journal, cache, journalWrites, cacheWrites } = createMemoryStore();
    const braid = createRuntime({ model: modelOn(wire, server), retry: QUICK_RETRY, journal, cache });
    const stream = braid.stream({ name: 'fact', prompt: 'One fact about cobalt', schema: Fact });
    const { events } = await collectEvents(stream);
    const value = await stream.value;

    expect(Fact.parse(value)).toEqual(value);
    expect(events.find((event) => event.type === 'reset')).toEqual({ type: 'reset', reason: 'repair', attempt: 2 });
    expect(server.stats().timeline[1]!.prompt).toContain('Your previous answer was not valid');
    expect(journalWrites.map(([, entry]) => entry.value)).toEqual([value]);
    expect(cacheWrites).toEqual([value]);
  });
});

test('a text step streams its text, and the text is the value', async () => {
  const server = await fakeServer({ latencyPerTokenMs: 1, rules: [{ match: /greet/, text: 'Hello from the fake provider, one piece at a time.' }] });
  const braid = createRuntime({ model: modelOn('openai', server) });
  const stream = braid.stream({ name: 'greet', prompt: 'greet me' });
  const pieces: string[] = [];
  for await (const text of stream.textStream) pieces.push(text);
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.join('')).toBe('Hello from the fake provider, one piece at a time.');
  await expect(stream.value).resolves.toBe('Hello from the fake provider, one piece at a time.');
  // without a schema a partial is the text so far
  const partials: string[] = [];
  for await (const partial of stream.partialStream) partials.push(partial);
  expect(partials.at(-1)).toBe(pieces.join(''));
});

test('every reader reads from the start: one opened after the step ended gets every event the live one got', async () => {
  const server = await fakeServer({ latencyPerTokenMs: 1 });
  const braid = createRuntime({ model: modelOn('openai', server) });
  const stream = braid.stream({ name: 'fact', prompt: 'One fact about iron', schema: Fact });
  const live = await collectEvents(stream);
  const value = await stream.value;
  const late = await collectEvents(stream);
  expect(late.events).toEqual(live.events);
  expect(partialsOf(late.events).length).toBeGreaterThan(1);
  expect(late.events.at(-1)).toEqual({ type: 'value', value });
});

test('a cached step streams its stored value at once, without a call; a journaled one too', async () => {
  const server = await fakeServer();
  const store = createMemoryStore();
  const model = modelOn('openai', server);
  const first = createRuntime({ model, cache: store.cache });
  const value = await first.stream({ name: 'fact', prompt: 'One fact about zinc', schema: Fact }).value;

  const second = createRuntime({ model, cache: store.cache, journal: store.journal, runId: 'again' });
  const cached = second.stream({ name: 'fact', prompt: 'One fact about zinc', schema: Fact });
  const { events } = await collectEvents(cached);
  expect(events).toEqual([
    { type: 'text', text: JSON.stringify(value) },
    { type: 'partial', partial: value },
    { type: 'value', value },
  ]);
  const cachedStep = second.spans().find((span) => span.kind === 'step')!;
  expect(cachedStep.replayed).toBe('cache');
  expect(cachedStep.firstTokenMs).toBeUndefined(); // nothing was generated

  // the same run resumed: the journal replays it, and `step` at the same position finds it too
  const resumed = createRuntime({ model, journal: store.journal, runId: 'again' });
  const replayed = await collectEvents(resumed.stream({ name: 'fact', prompt: 'One fact about zinc', schema: Fact }));
  expect(replayed.events.at(-1)).toEqual({ type: 'value', value });
  const stepped = createRuntime({ model, journal: store.journal, runId: 'again' });
  await expect(stepped.step({ name: 'fact', prompt: 'One fact about zinc', schema: Fact })).resolves.toEqual(value);
  expect(server.stats().requests).toBe(1);
});

test('time to first token is on the streamed step and its attempt, and not on a step that did not stream', async () => {
  const server = await fakeServer();
  const braid = createRuntime({ model: modelOn('openai', server) });
  await braid.stream({ name: 'streamed', prompt: 'One fact about iron', schema: Fact }).value;
  await braid.step({ name: 'waited', prompt: 'One fact about zinc', schema: Fact });
  const spans = braid.spans();
  const streamed = spans.find((span) => span.name === 'streamed' && span.kind === 'step')!;
  const attempt = spans.find((span) => span.parentId === streamed.id)!;
  expect(streamed.firstTokenMs).toBeGreaterThanOrEqual(0);
  expect(streamed.firstTokenMs).toBeLessThanOrEqual(streamed.end - streamed.start);
  expect(attempt.firstTokenMs).toBeGreaterThanOrEqual(0);
  expect(spans.find((span) => span.name === 'waited' && span.kind === 'step')!.firstTokenMs).toBeUndefined();
});

test('toResponse() is a server-sent event stream of partials and the value', async () => {
  const server = await fakeServer();
  const braid = createRuntime({ model: modelOn('anthropic', server) });
  const stream = braid.stream({ name: 'fact', prompt: 'One fact about iron', schema: Fact });
  const response = stream.toResponse({ headers: { 'x-request-id': 'r1' } });
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(response.headers.get('x-request-id')).toBe('r1');
  const events = parseServerSentEvents(await response.text());
  const value = await stream.value;
  expect(events.at(-1)).toEqual({ event: 'value', data: { value } });
  const partials = events.filter((event) => event.event === 'partial');
  expect(partials.length).toBeGreaterThan(1);
  expect(events.every((event) => event.event === 'partial' || event.event === 'value')).toBe(true);
  for (const { data } of partials) expect(isPrefixConsistent((data as { partial: Fact }).partial, value)).toBe(true);
});

test('toSSE() written to a node:http response reaches a client event by event, partials before the value', async () => {
  const server = await fakeServer({ latencyPerTokenMs: 2 });
  const web = createServer(async (request, response) => {
    const braid = createRuntime({ model: modelOn('openai', server) });
    const answer = braid.stream({ name: 'fact', prompt: new URL(request.url ?? '/', 'http://localhost').searchParams.get('q') ?? '', schema: Fact });
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    for await (const event of answer.toSSE()) response.write(event);
    response.end();
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => web.close(() => resolve())));
  const { port } = web.address() as AddressInfo;

  const response = await fetch(`http://127.0.0.1:${port}/?q=${encodeURIComponent('One fact about zinc')}`);
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let body = '';
  let isModelAnsweringAtFirstEvent: boolean | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    body += value;
    isModelAnsweringAtFirstEvent ??= server.stats().timeline[0]?.end === 0;
  }
  const events = parseServerSentEvents(body);
  const value = (events.at(-1)!.data as { value: Fact }).value;
  expect(Fact.parse(value)).toEqual(value);
  expect(isModelAnsweringAtFirstEvent).toBe(true); // the client had the first partial while the model was still writing
  expect(events.slice(0, -1).length).toBeGreaterThan(1);
  expect(events.slice(0, -1).every((event) => event.event === 'partial' && isPrefixConsistent((event.data as { partial: unknown }).partial, value))).toBe(true);
});

test('a failed streamed step rejects its value, throws from its streams, and ends its SSE with an error event', async () => {
  const server = await fakeServer({ rules: [{ match: /cobalt/, status: 400 }] });
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  const stream = braid.stream({ name: 'fact', prompt: 'One fact about cobalt' });
  await expect(stream.value).rejects.toBeInstanceOf(ProviderCallError);
  const { error } = await collectEvents(stream);
  expect(error).toBeInstanceOf(ProviderCallError);
  await expect((async () => { for await (const text of stream.textStream) void text; })()).rejects.toBeInstanceOf(ProviderCallError);
  const texts: string[] = [];
  for await (const text of stream.toSSE()) texts.push(text);
  const events = parseServerSentEvents(texts.join(''));
  expect(events).toEqual([{ event: 'error', data: { name: 'ProviderCallError', message: expect.stringContaining('not retryable') } }]);
});

test('cancelling the run mid-answer stops the stream with RunCancelledError and frees the request', async () => {
  const server = await fakeServer({ latencyPerTokenMs: 20 });
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  const stream = braid.stream({ name: 'fact', prompt: 'One fact about iron', schema: Fact });
  const texts: string[] = [];
  const reading = (async () => {
    for await (const text of stream.textStream) {
      texts.push(text);
      braid.cancel('the reader left'); // after the first piece
    }
  })();
  await expect(reading).rejects.toBeInstanceOf(RunCancelledError);
  await expect(stream.value).rejects.toBeInstanceOf(RunCancelledError);
  expect(texts.length).toBeGreaterThan(0);
  await vi.waitFor(() => expect(server.stats().timeline[0]!.end).toBeGreaterThan(0)); // the client hung up
  expect(server.stats().requests).toBe(1); // and nothing was retried
  expect(braid.spans().find((span) => span.kind === 'step')!.status).toBe('cancelled');
});

test('a streamed step is held to the cost cap like any step', async () => {
  const server = await fakeServer();
  const braid = createRuntime({ model: modelOn('openai', server, 'gpt-4o'), maxCostUsd: 0 });
  const stream = braid.stream({ name: 'fact', prompt: 'One fact about iron', schema: Fact });
  await expect(stream.value).rejects.toBeInstanceOf(CostLimitError);
  expect(server.stats().requests).toBe(0);
});
