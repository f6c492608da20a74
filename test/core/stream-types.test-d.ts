import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import type { Run, StepStream, StreamEvent } from '../../src/index.js';

// What a streamed step's types promise, checked by the compiler (vitest's typecheck mode; nothing runs).

declare const run: Run;
const Fact = z.object({ metal: z.enum(['iron', 'zinc']), uses: z.array(z.string()) });
type Fact = z.infer<typeof Fact>;

describe('a stream is typed by its schema, as the step is', () => {
  test('its value is what step returns', () => {
    const stream = run.stream({ name: 'fact', prompt: 'p', schema: Fact });
    expectTypeOf(stream).toEqualTypeOf<StepStream<typeof Fact>>();
    expectTypeOf(stream.value).resolves.toEqualTypeOf<Fact>();
    expectTypeOf(run.stream({ name: 'text', prompt: 'p' }).value).resolves.toEqualTypeOf<string>();
  });

  test('partials are deep-partial objects of the schema, or the text so far without one', () => {
    expectTypeOf(run.stream({ name: 'fact', prompt: 'p', schema: Fact }).partialStream).toEqualTypeOf<
      AsyncIterable<{ metal?: 'iron' | 'zinc' | undefined; uses?: (string | undefined)[] | undefined }>
    >();
    expectTypeOf(run.stream({ name: 'text', prompt: 'p' }).partialStream).toEqualTypeOf<AsyncIterable<string>>();
    expectTypeOf(run.stream({ name: 'text', prompt: 'p' }).textStream).toEqualTypeOf<AsyncIterable<string>>();
  });

  test('events say what they carry', () => {
    expectTypeOf<Extract<StreamEvent<typeof Fact>, { type: 'value' }>['value']>().toEqualTypeOf<Fact>();
    expectTypeOf<Extract<StreamEvent<typeof Fact>, { type: 'reset' }>['reason']>().toEqualTypeOf<'retry' | 'repair'>();
    expectTypeOf<Extract<StreamEvent<undefined>, { type: 'partial' }>['partial']>().toEqualTypeOf<string>();
  });

  test('toResponse is a web Response; toSSE yields event texts', () => {
    const stream = run.stream({ name: 'fact', prompt: 'p', schema: Fact });
    expectTypeOf(stream.toResponse()).toEqualTypeOf<Response>();
    expectTypeOf(stream.toSSE()).toEqualTypeOf<AsyncIterable<string>>();
    // @ts-expect-error a stream's value is a promise, not the value
    expectTypeOf(stream.value.metal).toBeString();
  });
});
