/** USD per million tokens. `cachedInput` is what a prompt-cache hit costs instead of `input`. */
export interface Price {
  input: number;
  output: number;
  cachedInput?: number;
}

/** Prices keyed by `provider:model`; `provider:*` covers a whole provider. Longest key prefix wins. */
export type PriceTable = Record<string, Price>;

/**
 * List prices at the time of writing. Pass `prices` to `createRuntime` (or `--prices FILE`)
 * to correct or extend them: yours are merged over these.
 */
export const DEFAULT_PRICES: PriceTable = {
  'google:gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'google:gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.075 },
  'google:gemini-2.5-pro': { input: 1.25, output: 10, cachedInput: 0.31 },
  'google:gemini-2.0-flash': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'openai:gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'openai:gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'openai:gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'openai:gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  'anthropic:claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3 },
  'anthropic:claude-opus-4-1': { input: 15, output: 75, cachedInput: 1.5 },
  'local:*': { input: 0, output: 0 },
  'ollama:*': { input: 0, output: 0 },
};

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

/** Finds the price of `provider:model`, or undefined when the table has none. */
export function findPrice(table: PriceTable, modelKey: string): Price | undefined {
  let best: { length: number; price: Price } | undefined;
  for (const [key, price] of Object.entries(table)) {
    const prefix = key.endsWith('*') ? key.slice(0, -1) : key;
    const matches = key.endsWith('*') ? modelKey.startsWith(prefix) : modelKey === key || modelKey.startsWith(`${key}-`);
    if (matches && (!best || prefix.length > best.length)) best = { length: prefix.length, price };
  }
  return best?.price;
}

/** The cost of one call in USD; cached input tokens are charged at the cached rate. */
export function costOf(price: Price, { inputTokens, outputTokens, cachedInputTokens = 0 }: TokenCounts): number {
  const cached = Math.min(cachedInputTokens, inputTokens);
  const fresh = inputTokens - cached;
  return (fresh * price.input + cached * (price.cachedInput ?? price.input) + outputTokens * price.output) / 1_000_000;
}
