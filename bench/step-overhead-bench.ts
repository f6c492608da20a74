import { generateText, Output } from 'ai';
import { z } from 'zod';
import { createRuntime } from '../src/index.js';
import { withFakeProvider } from './with-fake-provider.js';

export interface StepOverheadOptions {
  /** Measured calls per contender. @default 300 */
  calls?: number;
  /** Unmeasured calls per contender first, so JIT and connection setup are not billed to either. @default 50 */
  warmupCalls?: number;
}

/** Per-call timings of one contender, in microseconds. */
export interface CallTimings {
  meanMicroseconds: number;
  medianMicroseconds: number;
  p90Microseconds: number;
}

export interface StepOverhead {
  raw: CallTimings;
  braid: CallTimings;
}

const Fact = z.object({ fact: z.string().max(200) });
const INSTRUCTIONS = 'You state facts about metals. Answer in JSON exactly as the schema asks.';

/**
 * What `braid.step` costs on top of the `generateText` call it makes: both send the same
 * structured-output request to a 0-latency fake, one after another, interleaved (raw first on even
 * calls, braid first on odd ones) so that drift in the machine's speed hits both alike.
 *
 * @example
 * const { raw, braid } = await measureStepOverhead({ calls: 300 });
 */
export async function measureStepOverhead({ calls = 300, warmupCalls = 50 }: StepOverheadOptions = {}): Promise<StepOverhead> {
  return withFakeProvider({ latencyMs: 0, seed: 3 }, async (_server, model) => {
    const braid = createRuntime({ model, name: 'overhead' });
    const rawCall = () => generateText({ model, instructions: INSTRUCTIONS, prompt: 'One fact about zinc.', output: Output.object({ schema: Fact }) });
    const braidCall = () => braid.step({ name: 'fact', system: INSTRUCTIONS, prompt: 'One fact about zinc.', schema: Fact });

    for (let index = 0; index < warmupCalls; index += 1) {
      await rawCall();
      await braidCall();
    }
    const rawTimes: number[] = [];
    const braidTimes: number[] = [];
    const time = async (call: () => Promise<unknown>, into: number[]) => {
      const startedAt = performance.now();
      await call();
      into.push((performance.now() - startedAt) * 1000);
    };
    for (let index = 0; index < calls; index += 1) {
      if (index % 2 === 0) {
        await time(rawCall, rawTimes);
        await time(braidCall, braidTimes);
      } else {
        await time(braidCall, braidTimes);
        await time(rawCall, rawTimes);
      }
    }
    braid.finish();
    return { raw: summarize(rawTimes), braid: summarize(braidTimes) };
  });
}

function summarize(microseconds: readonly number[]): CallTimings {
  const sorted = [...microseconds].sort((a, b) => a - b);
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
  return {
    meanMicroseconds: sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length),
    medianMicroseconds: at(0.5),
    p90Microseconds: at(0.9),
  };
}
