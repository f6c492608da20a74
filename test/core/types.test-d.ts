import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import type { Run, Settled } from '../../src/index.js';

// The promises the types make, checked by the compiler (vitest's typecheck mode runs this file
// through tsc; nothing here runs). Each `@ts-expect-error` fails the check if the error goes away.

declare const run: Run;
const Fact = z.object({ fact: z.string() });
const Intent = z.enum(['Technical Support', 'Billing Inquiry', 'General Question']);
const Task = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lookup'), id: z.string() }),
  z.object({ kind: z.literal('note'), text: z.string() }),
]);

describe('a run infers results from schemas', () => {
  test('step: the schema type, or text without one', () => {
    expectTypeOf(run.step({ name: 'fact', prompt: 'p', schema: Fact })).resolves.toEqualTypeOf<{ fact: string }>();
    expectTypeOf(run.step({ name: 'text', prompt: 'p' })).resolves.toEqualTypeOf<string>();
  });

  test('parallel: one Settled per item, of what the body returns', () => {
    expectTypeOf(run.parallel([1, 2], async (item, scope, index) => {
      expectTypeOf(item).toEqualTypeOf<number>();
      expectTypeOf(scope).toEqualTypeOf<Run>();
      expectTypeOf(index).toEqualTypeOf<number>();
      return `${item}`;
    })).resolves.toEqualTypeOf<Settled<string>[]>();
  });

  test('effect: what its function returns', () => {
    expectTypeOf(run.effect('write', () => ({ row: 1 }))).resolves.toEqualTypeOf<{ row: number }>();
  });
});

describe('chain links are typed end to end', () => {
  test('each link takes what the one before returns', () => {
    expectTypeOf(run.chain('topic', ['a', async (topic: string) => topic.length], ['b', async (length) => length > 3])).resolves.toEqualTypeOf<boolean>();
    // @ts-expect-error the second link takes a string, but the first returns a number
    void run.chain('topic', ['a', async (topic: string) => topic.length], ['b', async (text: string) => text]);
  });
});

describe('route demands a handler for every intent', () => {
  test('all handlers: compiles, and the result carries the intent type', () => {
    const routed = run.route('my router is broken', {
      intents: Intent,
      classify: (query) => ({ prompt: query }),
      handlers: { 'Technical Support': async () => 1, 'Billing Inquiry': async () => 2, 'General Question': async () => 3 },
      fallback: 'General Question',
    });
    expectTypeOf(routed).resolves.toHaveProperty('intent').toEqualTypeOf<'Technical Support' | 'Billing Inquiry' | 'General Question'>();
    expectTypeOf(routed).resolves.toHaveProperty('result').toEqualTypeOf<number>();
  });

  test('a missing handler, or a fallback outside the intents, does not compile', () => {
    void run.route('q', {
      intents: Intent,
      classify: (query) => ({ prompt: query }),
      // @ts-expect-error 'General Question' has no handler
      handlers: { 'Technical Support': async () => 1, 'Billing Inquiry': async () => 2 },
      fallback: 'General Question',
    });
    void run.route('q', {
      intents: Intent,
      classify: (query) => ({ prompt: query }),
      handlers: { 'Technical Support': async () => 1, 'Billing Inquiry': async () => 2, 'General Question': async () => 3 },
      // @ts-expect-error not one of the intents
      fallback: 'Astrology',
    });
  });
});

describe('orchestrate demands a worker for every task type, and hands each its own task shape', () => {
  test('all workers: compiles, each sees its task type', () => {
    void run.orchestrate('do things', {
      tasks: Task,
      discriminator: 'kind',
      plan: (input: string) => ({ prompt: input }),
      workers: {
        lookup: async (task) => {
          expectTypeOf(task).toEqualTypeOf<{ kind: 'lookup'; id: string }>();
          return task.id;
        },
        note: async (task) => {
          expectTypeOf(task).toEqualTypeOf<{ kind: 'note'; text: string }>();
          return task.text;
        },
      },
      synthesize: async (_input, outcomes) => outcomes.length,
    });
  });

  test('a missing worker does not compile', () => {
    void run.orchestrate('do things', {
      tasks: Task,
      discriminator: 'kind',
      plan: (input: string) => ({ prompt: input }),
      // @ts-expect-error the note task type has no worker
      workers: { lookup: async (task) => task.id },
      synthesize: async () => 'done',
    });
  });
});
