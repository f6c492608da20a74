import { ModelSpecError } from '../core/errors.js';

/** The provider families a spec can name. */
export const PROVIDERS = ['google', 'openai', 'anthropic', 'openai-compatible', 'ollama', 'local'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** A parsed `provider:model` spec. For `local`, `model` is the optional path or URI of a GGUF file. */
export interface ModelSpec {
  provider: ProviderName;
  model: string;
}

/** The cloud default, as in the lesson: used when `BRAID_MODEL` is unset and a Gemini key is present. */
export const DEFAULT_CLOUD_SPECS = {
  google: 'google:gemini-2.5-flash',
  openai: 'openai:gpt-4.1-mini',
  anthropic: 'anthropic:claude-haiku-4-5',
} as const;

/**
 * Parses a model spec such as `google:gemini-2.5-flash`, `ollama:llama3.2` or `local:/models/x.gguf`.
 *
 * @example parseModelSpec('openai:gpt-4.1-mini') // { provider: 'openai', model: 'gpt-4.1-mini' }
 */
export function parseModelSpec(spec: string): ModelSpec {
  const trimmed = spec.trim();
  if (trimmed === 'local') return { provider: 'local', model: '' };
  const colon = trimmed.indexOf(':');
  if (colon <= 0) {
    throw new ModelSpecError(
      `malformed model spec "${trimmed}": expected provider:model, e.g. google:gemini-2.5-flash, openai:gpt-4.1-mini or local`,
    );
  }
  const provider = trimmed.slice(0, colon);
  const model = trimmed.slice(colon + 1);
  if (!isProviderName(provider)) {
    throw new ModelSpecError(`unknown provider "${provider}" in model spec "${trimmed}": use one of ${PROVIDERS.join(', ')}`);
  }
  if (model === '' && provider !== 'local') {
    throw new ModelSpecError(`model spec "${trimmed}" names no model: write ${provider}:<model-id>`);
  }
  return { provider, model };
}

/**
 * The spec to use when none is given: `BRAID_MODEL`; else the embedded local model when
 * `BRAID_LOCAL_MODEL` names its file (a key left in the shell must not send a local run to the
 * cloud); else the cloud provider whose key is set (Gemini first, as in the lesson); else the
 * embedded local model.
 *
 * @example defaultModelSpec({ GOOGLE_GENERATIVE_AI_API_KEY: 'k', BRAID_LOCAL_MODEL: '/m/x.gguf' }) // 'local'
 */
export function defaultModelSpec(env: Record<string, string | undefined>): string {
  if (env.BRAID_MODEL) return env.BRAID_MODEL;
  if (env.BRAID_LOCAL_MODEL) return 'local';
  if (env.GOOGLE_GENERATIVE_AI_API_KEY) return DEFAULT_CLOUD_SPECS.google;
  if (env.OPENAI_API_KEY) return DEFAULT_CLOUD_SPECS.openai;
  if (env.ANTHROPIC_API_KEY) return DEFAULT_CLOUD_SPECS.anthropic;
  return 'local';
}

function isProviderName(name: string): name is ProviderName {
  return (PROVIDERS as readonly string[]).includes(name);
}
