import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';

/** One intent the router knows: how to recognise it, and how its handler answers. */
export const IntentDefinition = z.object({
  name: z.string().min(1).max(80),
  description: z.string().min(1).max(500),
  /** The specialised handler's instructions. */
  prompt: z.string().min(1).max(4000),
});
export type IntentDefinition = z.infer<typeof IntentDefinition>;

/** A router config file: extra (or replacement) intents, without code changes. */
export const RouterConfigFile = z.object({
  intents: z.array(IntentDefinition).default([]),
  /** Drop the three built-in intents instead of adding to them. */
  replaceDefaults: z.boolean().default(false),
  /** Where unclassifiable queries go. @default 'General Question' */
  fallback: z.string().optional(),
});

export interface RouterConfig {
  intents: IntentDefinition[];
  fallback: string;
}

/** The lesson's three intents and their specialised handlers. */
export const DEFAULT_INTENTS: IntentDefinition[] = [
  {
    name: 'Technical Support',
    description: 'problems using the product: errors, crashes, setup, connectivity, features not working',
    prompt:
      'You are a technical support specialist. Diagnose the problem the customer describes and give clear, numbered troubleshooting steps. Ask for the one missing detail you need, if any.',
  },
  {
    name: 'Billing Inquiry',
    description: 'charges, invoices, refunds, payment methods, subscriptions and pricing',
    prompt:
      'You are a billing specialist. Address the charge, invoice or payment question precisely, explain what the customer can expect next, and never invent amounts or account details.',
  },
  {
    name: 'General Question',
    description: 'anything else: company information, policies, product questions that are not problems',
    prompt: 'You are a friendly customer service agent. Answer the question helpfully and concisely.',
  },
];

export const DEFAULT_FALLBACK = 'General Question';

/** The built-in intents, extended or replaced by a config file when one is given. */
export async function loadRouterConfig(file?: string): Promise<RouterConfig> {
  if (!file) return { intents: DEFAULT_INTENTS, fallback: DEFAULT_FALLBACK };
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new InputError(`cannot read router config ${file}`, { cause: error });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`router config ${file} is not valid JSON`, { cause: error });
  }
  const parsed = RouterConfigFile.safeParse(json);
  if (!parsed.success) throw new InputError(`router config ${file} is invalid: ${z.prettifyError(parsed.error)}`);
  const byName = new Map((parsed.data.replaceDefaults ? [] : DEFAULT_INTENTS).map((intent) => [intent.name, intent]));
  for (const intent of parsed.data.intents) byName.set(intent.name, intent); // a file may redefine a built-in
  const intents = [...byName.values()];
  const fallback = parsed.data.fallback ?? (byName.has(DEFAULT_FALLBACK) ? DEFAULT_FALLBACK : intents[0]?.name);
  if (!fallback || !byName.has(fallback)) {
    throw new InputError(`router config ${file}: fallback "${fallback ?? ''}" is not one of its intents`);
  }
  return { intents, fallback };
}
