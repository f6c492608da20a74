import { z } from 'zod';
import { defineBatchWorkflow } from '../../src/index.js';

const Fact = z.object({ fact: z.string() });

/**
 * A two-step batch workflow defined once for the local and the Redis runner tests: a typed step,
 * then a text step that depends on it, so the output shows both ran in order.
 */
export const metalFactsWorkflow = defineBatchWorkflow({
  name: 'metal-facts',
  input: z.object({ metal: z.string().min(1) }),
  output: z.object({ metal: z.string(), fact: z.string(), headline: z.string().min(1) }),
  run: async (braid, { metal }) => {
    const { fact } = await braid.step({ name: 'fact', prompt: `One fact about ${metal}`, schema: Fact });
    const headline = await braid.step({ name: 'headline', prompt: `A headline for this fact about ${metal}: ${fact}`, maxOutputTokens: 40 });
    return { metal, fact, headline };
  },
});

/** The metals each test runs; the fake refuses cobalt (400), so one item fails alone. */
export const METALS = [{ metal: 'iron' }, { metal: 'cobalt' }, { metal: 'zinc' }];
export const REFUSED = { match: /cobalt/, status: 400 };
