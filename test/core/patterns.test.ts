import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createRuntime, ProviderCallError, RunCancelledError, type Run } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { modelOn, QUICK_RETRY } from '../support/wire-models.js';

async function setup(options: Parameters<typeof startFakeProvider>[0] = {}) {
  const server = await startFakeProvider({ seed: 3, ...options });
  onTestFinished(() => server.close());
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  return { server, braid };
}

const Fact = z.object({ fact: z.string().max(100) });

test('chain passes typed results forward, step by step', async () => {
  const { server, braid } = await setup({
    rules: [
      { match: /List topics/, json: { topics: ['tides', 'moons'] } },
      { match: /Summarise/, json: { summary: 'Two topics.' } },
    ],
  });
  const summary = await braid.group('lesson', (lesson) =>
    lesson.chain(
      'the sea',
      ['topics', (subject: string, link: Run) => link.step({ name: 'topics', prompt: `List topics about ${subject}`, schema: z.object({ topics: z.array(z.string()) }) })],
      ['summary', ({ topics }, link) => link.step({ name: 'summary', prompt: `Summarise ${topics.join(', ')}`, schema: z.object({ summary: z.string() }) })],
    ),
  );
  expect(summary).toEqual({ summary: 'Two topics.' });
  expect(server.stats().timeline[1]!.prompt).toContain('Summarise tides, moons');
  // each link is a scope of its own: its step's key says where in the chain it ran
  expect(braid.spans().filter((span) => span.kind === 'step').map((span) => span.key)).toEqual(['/lesson#0/topics#0/topics#0', '/lesson#0/summary#0/summary#0']);
});

test('a failing item leaves its siblings intact', async () => {
  const { braid } = await setup({ rules: [{ match: /cobalt/, status: 400 }] });
  const results = await braid.parallel(['iron', 'cobalt', 'zinc'], (metal, item) => item.step({ name: 'fact', prompt: `One fact about ${metal}`, schema: Fact }));
  expect(results.map((result) => result.ok)).toEqual([true, false, true]);
  const failed = results[1]!;
  expect(!failed.ok && failed.error).toBeInstanceOf(ProviderCallError);
});

test('fail-fast stops starting new items after the first failure', async () => {
  const { server, braid } = await setup({ rules: [{ match: /item 0/, status: 400 }] });
  const items = Array.from({ length: 6 }, (_, index) => `item ${index}`);
  const results = await braid.parallel(items, (item, scope) => scope.step({ name: 'fact', prompt: item, schema: Fact }), { concurrency: 1, failFast: true });
  expect(results.map((result) => result.ok)).toEqual([false, false, false, false, false, false]);
  expect(results.slice(1).every((result) => !result.ok && result.error instanceof RunCancelledError)).toBe(true);
  expect(server.stats().requests).toBe(1);
});

const Intent = z.enum(['Technical Support', 'Billing Inquiry', 'General Question']);

test('route sends each query to its intent handler', async () => {
  const { braid } = await setup({
    rules: [
      { match: /Query: my router is broken/, json: { intent: 'Technical Support' } },
      { match: /Query: refund/, json: { intent: 'Billing Inquiry' } },
    ],
  });
  const handlers = {
    'Technical Support': async (query: string) => `tech:${query}`,
    'Billing Inquiry': async (query: string) => `billing:${query}`,
    'General Question': async (query: string) => `general:${query}`,
  };
  const options = { intents: Intent, classify: (query: string) => ({ prompt: `Query: ${query}` }), handlers, fallback: 'General Question' as const };
  await expect(braid.route('my router is broken', options)).resolves.toMatchObject({ intent: 'Technical Support', fellBack: false, result: 'tech:my router is broken' });
  await expect(braid.route('refund please', options)).resolves.toMatchObject({ intent: 'Billing Inquiry', result: 'billing:refund please' });
});

test('an invalid classification falls back to the declared route, never drops the query', async () => {
  const { braid } = await setup({ rules: [{ match: /Query:/, json: { intent: 'Astrology' } }] });
  const routed = await braid.route('what is my star sign', {
    intents: Intent,
    classify: (query) => ({ prompt: `Query: ${query}` }),
    handlers: {
      'Technical Support': async () => 'tech',
      'Billing Inquiry': async () => 'billing',
      'General Question': async () => 'general',
    },
    fallback: 'General Question',
  });
  expect(routed).toMatchObject({ intent: 'General Question', fellBack: true, result: 'general' });
  expect(routed.reason).toMatch(/schema/);
});

const Task = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lookup'), id: z.string().max(20) }),
  z.object({ kind: z.literal('note'), text: z.string().max(100) }),
]);

test('orchestrate dispatches typed tasks concurrently and tells the synthesizer about invalid ones', async () => {
  const { server, braid } = await setup({
    rules: [
      { match: /Plan:/, json: { tasks: [{ kind: 'lookup', id: 'A-1', text: null }, { kind: 'note', id: null, text: 'hello' }, { kind: 'lookup', id: null, text: null }] } },
      { match: /Synthesize/, text: 'All done.' },
    ],
  });
  const seen: string[] = [];
  const result = await braid.orchestrate('do things', {
    tasks: Task,
    discriminator: 'kind',
    plan: (input) => ({ prompt: `Plan: ${input}` }),
    workers: {
      lookup: async (task) => { seen.push(`lookup ${task.id}`); return `found ${task.id}`; },
      note: async (task) => { seen.push(`note ${task.text}`); return `noted ${task.text}`; },
    },
    synthesize: (_input, outcomes, scope) =>
      scope.step({ name: 'synthesize', prompt: `Synthesize: ${outcomes.map((outcome) => (outcome.status === 'done' ? outcome.result : `FAILED ${outcome.error}`)).join(' | ')}` }),
  });
  expect(seen.sort()).toEqual(['lookup A-1', 'note hello']);
  expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['done', 'done', 'failed']);
  expect(result.reply).toBe('All done.');
  const synthesisPrompt = server.stats().timeline.at(-1)!.prompt;
  expect(synthesisPrompt).toContain('found A-1');
  expect(synthesisPrompt).toMatch(/FAILED id: /);
});

test('evaluate–optimize loops until the evaluator accepts', async () => {
  const { braid } = await setup({
    rules: [
      { match: /Review draft 1/, json: { accepted: false, feedback: 'shorter' } },
      { match: /Review draft 2/, json: { accepted: true, feedback: 'good' } },
    ],
  });
  const Review = z.object({ accepted: z.boolean(), feedback: z.string() });
  const drafts: (string | undefined)[] = [];
  const result = await braid.evaluateOptimize({
    generate: async (feedback, round) => { drafts.push(feedback); return `draft ${round}`; },
    evaluate: (draft, _round, scope) => scope.step({ name: 'review', prompt: `Review ${draft}`, schema: Review }),
    maxRounds: 5,
  });
  expect(result).toMatchObject({ candidate: 'draft 2', accepted: true, rounds: 2 });
  expect(drafts).toEqual([undefined, 'shorter']);
});

test('evaluate–optimize stops at maxRounds with the last candidate', async () => {
  const { braid } = await setup({ rules: [{ match: /Review/, json: { accepted: false, feedback: 'again' } }] });
  const Review = z.object({ accepted: z.boolean(), feedback: z.string() });
  const result = await braid.evaluateOptimize({
    generate: async (_feedback, round) => `draft ${round}`,
    evaluate: (draft, _round, scope) => scope.step({ name: 'review', prompt: `Review ${draft}`, schema: Review }),
    maxRounds: 2,
  });
  expect(result).toMatchObject({ candidate: 'draft 2', accepted: false, rounds: 2 });
});

test('each parallel item steps in a scope of its own, so keys follow the items, never the timing', async () => {
  // item 0 answers slowly, so its second step starts after item 1's: keys must not care
  const { braid } = await setup({ rules: [{ match: /first about a/, json: { fact: 'slow' }, delayMs: 80 }] });
  await braid.parallel(['a', 'b'], async (letter, item) => {
    await item.step({ name: 'first', prompt: `first about ${letter}`, schema: Fact });
    return item.step({ name: 'second', prompt: `second about ${letter}`, schema: Fact });
  });
  const keys = braid.spans().filter((span) => span.kind === 'step').map((span) => [span.prompt, span.key]);
  expect(Object.fromEntries(keys)).toEqual({
    'first about a': '/item[0]#0/first#0',
    'second about a': '/item[0]#0/second#0',
    'first about b': '/item[1]#0/first#0',
    'second about b': '/item[1]#0/second#0',
  });
});

test('an effect runs once per run and position, and hands its function an idempotency key of both', async () => {
  const { braid } = await setup();
  const keys: string[] = [];
  const results = await braid.parallel(['x', 'y'], (name, item) => item.effect('write', ({ idempotencyKey }) => { keys.push(idempotencyKey); return { wrote: name, at: new Date(0) }; }));
  // the value comes back as the journal keeps it (JSON), the same on the first run and on a replay
  expect(results).toEqual([{ ok: true, value: { wrote: 'x', at: '1970-01-01T00:00:00.000Z' } }, { ok: true, value: { wrote: 'y', at: '1970-01-01T00:00:00.000Z' } }]);
  expect(keys.sort()).toEqual([`${braid.runId}:/item[0]#0/write#0`, `${braid.runId}:/item[1]#0/write#0`]);
  expect(braid.summary().effects).toBe(2);
});

test('bad runtime options fail where they enter, naming the option and the value', async () => {
  const { server } = await setup();
  const model = modelOn('openai', server);
  expect(() => createRuntime({ model, limits: { rpm: 0 } })).toThrow(/limits\.rpm = 0/);
  expect(() => createRuntime({ model, limits: { concurrency: -2 } })).toThrow(/limits\.concurrency = -2/);
  expect(() => createRuntime({ model, timeoutMs: Number.NaN })).toThrow(TypeError);
  // @ts-expect-error an option braid does not have
  expect(() => createRuntime({ model, concurency: 4 })).toThrow(/unknown option "concurency"/);
});
