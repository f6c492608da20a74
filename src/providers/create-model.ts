import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { InputError, MissingSettingError } from '../core/errors.js';
import { baseUrlProblem } from './base-url-problem.js';
import { parseModelSpec, type ProviderName } from './model-spec.js';

/** What serves `local` specs: the process's one embedded-model engine (see `createLocalEngine`). */
export interface LocalModelSource {
  languageModel(pathOrUri?: string): LanguageModel;
}

export interface CreateModelOptions {
  /** Overrides the provider's base URL (also read from `BRAID_BASE_URL`). This is how tests reach the fake provider. */
  baseURL?: string;
  /** Where keys and `BRAID_BASE_URL` are read from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Serves `local` specs; without it, `local` specs throw. The CLI passes its one engine. */
  local?: LocalModelSource;
}

/** The env variable each cloud provider's key is read from, as the providers themselves name it. */
export const API_KEY_VARIABLES = {
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
} as const satisfies Partial<Record<ProviderName, string>>;

const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434/v1';

/**
 * Turns a model spec into an AI SDK `LanguageModel`. Checks settings up front, so a missing key
 * fails before any work starts, with a message that names the variable and never the key.
 *
 * @example
 * const model = createModel('openai:gpt-4.1-mini', { baseURL: 'http://127.0.0.1:8080/v1' });
 */
export function createModel(spec: string, { baseURL, env = process.env, local }: CreateModelOptions = {}): LanguageModel {
  const { provider, model } = parseModelSpec(spec);
  const url = baseURL ?? env.BRAID_BASE_URL ?? undefined;
  const problem = url === undefined ? undefined : baseUrlProblem(url);
  if (problem) {
    // a bad URL would only fail at the first call, deep in the SDK's fetch
    throw new InputError(`base URL "${url}" (from ${baseURL === undefined ? 'BRAID_BASE_URL' : 'baseURL'}) is ${problem.startsWith('not') ? problem : `malformed: ${problem}`}`);
  }
  switch (provider) {
    case 'google':
      return createGoogleGenerativeAI({ apiKey: requireKey(env, 'google', spec), baseURL: url })(model);
    case 'openai':
      // chat completions, not the Responses API: it is what every OpenAI-compatible server also speaks
      return createOpenAI({ apiKey: requireKey(env, 'openai', spec), baseURL: url }).chat(model);
    case 'anthropic':
      return createAnthropic({ apiKey: requireKey(env, 'anthropic', spec), baseURL: url })(model);
    case 'openai-compatible': {
      if (!url) {
        throw new MissingSettingError(
          'BRAID_BASE_URL',
          `${spec} needs the server's base URL: pass --base-url or set BRAID_BASE_URL (e.g. http://127.0.0.1:8000/v1)`,
        );
      }
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: url,
        apiKey: env.OPENAI_COMPATIBLE_API_KEY,
        supportsStructuredOutputs: true,
        includeUsage: true,
      }).chatModel(model);
    }
    case 'ollama':
      return createOpenAICompatible({
        name: 'ollama',
        baseURL: url ?? (env.OLLAMA_HOST ? `${withScheme(env.OLLAMA_HOST)}/v1` : OLLAMA_DEFAULT_URL),
        supportsStructuredOutputs: true,
        includeUsage: true,
      }).chatModel(model);
    case 'local': {
      if (!local) {
        throw new MissingSettingError('local', `${spec} needs the embedded model engine: pass { local: createLocalEngine() }`);
      }
      return local.languageModel(model === '' ? undefined : model);
    }
  }
}

function requireKey(env: Record<string, string | undefined>, provider: keyof typeof API_KEY_VARIABLES, spec: string): string {
  const variable = API_KEY_VARIABLES[provider];
  const key = env[variable];
  if (!key) {
    throw new MissingSettingError(
      variable,
      `${spec} needs an API key: set ${variable}, or use --model local for the embedded model`,
    );
  }
  return key;
}

function withScheme(host: string): string {
  return /^https?:\/\//.test(host) ? host.replace(/\/+$/, '') : `http://${host}`;
}
