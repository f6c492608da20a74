import { parseModelSpec } from './model-spec.js';

/**
 * Context windows, in tokens, of the model families braid's specs commonly name, most specific
 * first. Published by the providers; a model missing here gets DEFAULT_CONTEXT_WINDOW.
 */
const CONTEXT_WINDOWS: readonly (readonly [pattern: RegExp, tokens: number])[] = [
  [/^google:gemini-1\.5-pro/, 2_097_152],
  [/^google:gemini-/, 1_048_576],
  [/^openai:gpt-4\.1/, 1_047_576],
  [/^openai:gpt-5/, 400_000],
  [/^openai:(o1|o3|o4)/, 200_000],
  [/^openai:(gpt-4o|gpt-4-turbo|chatgpt-4o)/, 128_000],
  [/^openai:gpt-3\.5-turbo/, 16_385],
  [/^anthropic:claude-/, 200_000],
  // Ollama serves 4,096 tokens of context unless its num_ctx (OLLAMA_CONTEXT_LENGTH) says more, whatever the model could take
  [/^ollama:/, 4_096],
];

/** For a model braid knows nothing about (an openai-compatible server, say): small enough for nearly any model served today. */
export const DEFAULT_CONTEXT_WINDOW = 8_192;

/**
 * The context window, in tokens, of a cloud model spec: from the table of known models, else
 * DEFAULT_CONTEXT_WINDOW. A local model's window is what its engine loaded (`LocalModelInfo.contextSize`).
 *
 * @example contextWindowOf('anthropic:claude-haiku-4-5') // 200_000
 * @example contextWindowOf('openai-compatible:my-model') // 8_192
 */
export function contextWindowOf(spec: string): number {
  const { provider, model } = parseModelSpec(spec);
  const normalized = `${provider}:${model.toLowerCase()}`;
  return CONTEXT_WINDOWS.find(([pattern]) => pattern.test(normalized))?.[1] ?? DEFAULT_CONTEXT_WINDOW;
}
