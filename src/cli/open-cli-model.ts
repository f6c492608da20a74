import type { LanguageModel } from 'ai';
import { contextWindowOf } from '../providers/context-window.js';
import { createModel } from '../providers/create-model.js';
import type { LocalEngine } from '../providers/local/local-engine.js';
import { defaultModelSpec, parseModelSpec } from '../providers/model-spec.js';

/** Deadline of each cloud call. */
const CLOUD_TIMEOUT_MS = 60_000;
/** A CPU-bound local model answers slowly, and a deadline that cuts it off wastes the work. */
const LOCAL_TIMEOUT_MS = 600_000;
/** Room in a context for instructions, the per-item prompt and the answer. */
const RESERVED_TOKENS = 1_536;
/**
 * The most document tokens one part carries, however large the window: every answer and sources
 * step carries its part again, so a part of a million tokens would cost a million per question,
 * and models read a long part less closely.
 */
const MAX_PART_TOKENS = 32_000;
/** Conservative: a document that overflows the context fails, one split too finely only costs a call. */
const CHARACTERS_PER_TOKEN = 3;
/** A part is never smaller than this, even in a tiny context. */
const MIN_PART_CHARACTERS = 1_000;

/** The model a CLI process runs on, with the defaults that follow from it. */
export interface CliModel {
  modelSpec: string;
  model: LanguageModel;
  isLocal: boolean;
  /** Calls the local model runs at once (its context sequences); undefined for a cloud model. */
  localSequences: number | undefined;
  /** Characters of documents one prompt (one part of a split document) may carry: `--part-size`, else from the model's context window. */
  promptBudgetCharacters: number;
  /** Deadline of each call unless `--timeout` says otherwise. */
  defaultTimeoutMs: number;
  /** Frees the local engine, if there is one. */
  dispose(): Promise<void>;
}

/**
 * The model from `--model` / `BRAID_MODEL` (or the default), shared by the run commands and
 * `braid worker`. A local model is loaded (or downloaded) here, so a missing file fails before
 * any work starts.
 */
export async function openCliModel(
  { model: spec, baseUrl, partSize }: { model?: string; baseUrl?: string; partSize?: number },
  env: NodeJS.ProcessEnv,
): Promise<CliModel> {
  const modelSpec = spec ?? defaultModelSpec(env);
  const { provider, model: localPath } = parseModelSpec(modelSpec);
  if (provider !== 'local') {
    return {
      modelSpec,
      model: createModel(modelSpec, { baseURL: baseUrl, env }),
      isLocal: false,
      localSequences: undefined,
      promptBudgetCharacters: partSize ?? partCharacters(contextWindowOf(modelSpec)),
      defaultTimeoutMs: CLOUD_TIMEOUT_MS,
      dispose: async () => {},
    };
  }
  // node-llama-cpp takes a while to import: only a local run pays for it
  const engine: LocalEngine = (await import('../providers/local/local-engine.js')).createLocalEngine({ env });
  try {
    const model = createModel(modelSpec, { env, local: engine });
    const info = await engine.load(localPath === '' ? undefined : localPath);
    return {
      modelSpec,
      model,
      isLocal: true,
      localSequences: info.sequences,
      promptBudgetCharacters: partSize ?? partCharacters(info.contextSize),
      defaultTimeoutMs: LOCAL_TIMEOUT_MS,
      dispose: () => engine.dispose(),
    };
  } catch (error) {
    await engine.dispose();
    throw error;
  }
}

/** Characters of document one part may carry in a context window of `contextTokens`. */
export function partCharacters(contextTokens: number): number {
  return Math.max(MIN_PART_CHARACTERS, Math.min(contextTokens - RESERVED_TOKENS, MAX_PART_TOKENS) * CHARACTERS_PER_TOKEN);
}
