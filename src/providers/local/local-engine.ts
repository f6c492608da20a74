import type { JSONSchema7, LanguageModelV4 } from '@ai-sdk/provider';
import type { GbnfJsonSchema, Llama, LlamaContextSequence, LlamaGrammar, Token } from 'node-llama-cpp';
import { BraidError } from '../../core/errors.js';
import { boundedJsonGrammar } from './bounded-json-grammar.js';
import { compactJsonGrammar } from './compact-json-grammar.js';
import { fitSchemaToBudget } from './fit-schema-to-budget.js';
import { toGrammarJsonSchema } from './json-schema-grammar.js';
import { createLocalLanguageModel, type LocalModelRuntime } from './local-language-model.js';
import { loadNodeLlamaCpp, type NodeLlamaCpp } from './load-node-llama-cpp.js';
import { getMachineDefaults, type MachineFacts } from './machine-defaults.js';
import { resolveLocalModelFile, type ResolveLocalModelFileOptions } from './resolve-local-model-file.js';
import { createSequencePool } from './sequence-pool.js';

/**
 * Which GPU backend llama.cpp may use: `'auto'` picks the best one with a prebuilt binary, `false`
 * runs on the CPU only. braid's own type, so braid's declarations never need node-llama-cpp's.
 */
export type LocalGpu = 'auto' | 'metal' | 'cuda' | 'vulkan' | false;

export interface LocalEngineOptions {
  /** Where the model file is looked up (`BRAID_LOCAL_MODEL`, `BRAID_CACHE_DIR`, `BRAID_OFFLINE`). @default process.env */
  env?: Record<string, string | undefined>;
  /** Threads decoding tokens. @default max(1, os.availableParallelism() - 1) */
  threads?: number;
  /** Calls that run at once per model (context sequences); more wait for a free one. @default 2–4, from cores and free memory */
  sequences?: number;
  /** Context size per sequence, in tokens. @default the largest up to min(train context, 8192) that fits in memory */
  contextSize?: number;
  /** `maxLength` for generated JSON strings that have none. @default 600 */
  maxStringLength?: number;
  /** Output tokens when a call sets no `maxOutputTokens`. @default 1024 */
  defaultMaxOutputTokens?: number;
  /** The GPU backend; braid never builds or downloads llama.cpp binaries either way. @default 'auto' */
  gpu?: LocalGpu;
  /** Download the default model on first use when none is found. @default true (false when `BRAID_OFFLINE=1`) */
  allowDownload?: boolean;
  /** Braid's model cache. @default localModelCacheDirectory(env) */
  cacheDirectory?: string;
  /** Download progress; without it node-llama-cpp draws a progress bar. */
  onDownloadProgress?: ResolveLocalModelFileOptions['onProgress'];
  /** Machine facts behind the defaults. @default measured */
  machine?: MachineFacts;
}

/** A model the engine has loaded, and how. */
export interface LocalModelInfo {
  modelPath: string;
  threads: number;
  sequences: number;
  /** Tokens per sequence. */
  contextSize: number;
  /** Milliseconds from the start of loading until the model could take calls. */
  loadMilliseconds: number;
}

/** Counters over every loaded model, for progress output and tests. */
export interface LocalEngineStats {
  loadedModels: number;
  busySequences: number;
  /** The most sequences that were ever busy at once: above 1 means calls really ran concurrently. */
  peakBusySequences: number;
  /** Calls waiting for a free sequence. */
  waitingCalls: number;
  /** Tokens decoded without logits (mostly prompt tokens), from node-llama-cpp's token meters. */
  evaluatedInputTokens: number;
  /** Tokens decoded with logits (generated tokens, and each prompt's last token). */
  evaluatedOutputTokens: number;
}

export interface LocalEngine {
  /** The AI SDK model for a GGUF path or URI (`/m/x.gguf`, `hf:owner/repo/file.gguf`), or the default model. Loads on first call. */
  languageModel(pathOrUri?: string): LanguageModelV4;
  /** Resolves and loads a model now (e.g. to show a download or load before the run). Idempotent. */
  load(pathOrUri?: string): Promise<LocalModelInfo>;
  stats(): LocalEngineStats;
  /** Frees the models, their contexts and the native backend. Calls still running fail. */
  dispose(): Promise<void>;
}

/** Tokens kept for the newlines that end a grammar's JSON. */
const GRAMMAR_END_TOKENS = 4;

interface LoadedModel {
  runtime: LocalModelRuntime;
  info: LocalModelInfo;
  sequences: LlamaContextSequence[];
}

/**
 * The embedded llama.cpp engine: one native backend, each model file loaded once (lazily, even
 * when the first calls race), one context per model with a pool of sequences so that calls run
 * concurrently in batched decoding. A call takes the free sequence that already holds the longest
 * prefix of its prompt, so repeated system prompts and few-shot examples are decoded once.
 *
 * @example
 * const engine = createLocalEngine({ env: { BRAID_LOCAL_MODEL: '/models/qwen.gguf' } });
 * try {
 *   const { text } = await generateText({ model: engine.languageModel(), prompt: 'Hello' });
 * } finally {
 *   await engine.dispose();
 * }
 */
export function createLocalEngine({
  env = process.env,
  threads,
  sequences,
  contextSize,
  maxStringLength = 600,
  defaultMaxOutputTokens = 1024,
  gpu = 'auto',
  allowDownload = true,
  cacheDirectory,
  onDownloadProgress,
  machine = {},
}: LocalEngineOptions = {}): LocalEngine {
  const threadCount = threads ?? getMachineDefaults({ trainContextSize: undefined }, machine).threads;
  const resolvedPaths = new Map<string, Promise<string>>();
  const loadedModels = new Map<string, Promise<LoadedModel>>();
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  const settledModels: LoadedModel[] = [];
  let llamaPromise: Promise<Llama> | undefined;
  let disposed = false;

  function ensureOpen(): void {
    if (disposed) throw new BraidError('the local engine was disposed: create a new one with createLocalEngine()');
  }

  /** Memoizes `create` under `key`, forgetting failures so that a later call can try again. */
  function once<Value>(cache: Map<string, Promise<Value>>, key: string, create: () => Promise<Value>): Promise<Value> {
    const cached = cache.get(key);
    if (cached) return cached;
    const created = create();
    cache.set(key, created);
    created.catch(() => cache.delete(key));
    return created;
  }

  function getLlamaOnce(engine: NodeLlamaCpp): Promise<Llama> {
    // build 'never': a missing prebuilt binary must fail, not start a compiler or a download
    llamaPromise ??= engine.getLlama({ gpu, build: 'never', maxThreads: threadCount, logLevel: engine.LlamaLogLevel.error, progressLogs: false });
    return llamaPromise;
  }

  function jsonGrammar(llama: Llama, schema: JSONSchema7 | undefined, maxOutputTokens: number): Promise<LlamaGrammar> {
    // the whole answer must fit the token limit, or a model that fills every bound is cut off mid-JSON every time
    const maxTokens = Math.max(0, maxOutputTokens - GRAMMAR_END_TOKENS);
    if (schema === undefined) {
      return once(grammars, `any-json:${maxTokens}`, () => llama.createGrammar(boundedJsonGrammar({ maxStringLength, maxTokens })));
    }
    const grammarSchema = fitSchemaToBudget(toGrammarJsonSchema(schema, { maxStringLength }), { maxTokens });
    return once(grammars, JSON.stringify(grammarSchema), async () => {
      const generated = await llama.createGrammarForJsonSchema<GbnfJsonSchema>(grammarSchema);
      return llama.createGrammar({
        grammar: compactJsonGrammar(generated.grammar),
        stopGenerationTriggers: generated.stopGenerationTriggers,
        trimWhitespaceSuffix: true,
      });
    });
  }

  async function loadModel(engine: NodeLlamaCpp, modelPath: string): Promise<LoadedModel> {
    const startedAt = performance.now();
    const llama = await getLlamaOnce(engine);
    ensureOpen();
    const model = await llama.loadModel({ modelPath });
    const defaults = getMachineDefaults({ trainContextSize: model.trainContextSize }, machine);
    const context = await model
      .createContext({
        sequences: sequences ?? defaults.sequences,
        contextSize: contextSize ?? defaults.contextSize,
        threads: threadCount,
      })
      .catch(async (error: unknown) => {
        await model.dispose(); // a later call retries the load; the failed one must not hold the weights
        throw error;
      });
    const contextSequences = Array.from({ length: context.totalSequences }, () => context.getSequence());
    const chatWrapper = engine.resolveChatWrapper(model);
    const chats = new Map(contextSequences.map((sequence) => [sequence, new engine.LlamaChat({ contextSequence: sequence, chatWrapper })]));
    const info: LocalModelInfo = {
      modelPath,
      threads: threadCount,
      sequences: contextSequences.length,
      contextSize: context.contextSize,
      loadMilliseconds: Math.round(performance.now() - startedAt),
    };
    const runtime: LocalModelRuntime = {
      modelPath,
      model,
      chatWrapper,
      pool: createSequencePool<LlamaContextSequence, Token>(contextSequences),
      chatFor: (sequence) => chats.get(sequence)!,
      jsonGrammar: (schema, maxOutputTokens) => jsonGrammar(llama, schema, maxOutputTokens),
    };
    const loaded = { runtime, info, sequences: contextSequences };
    settledModels.push(loaded);
    return loaded;
  }

  async function loadBySpec(pathOrUri: string | undefined): Promise<LoadedModel> {
    ensureOpen();
    // a missing engine is the first thing to fix: say so before looking for a model file
    const engine = await loadNodeLlamaCpp();
    ensureOpen();
    const modelPath = await once(resolvedPaths, pathOrUri ?? '', () =>
      resolveLocalModelFile({ spec: pathOrUri, env, cacheDirectory, allowDownload, onProgress: onDownloadProgress }),
    );
    ensureOpen();
    return once(loadedModels, modelPath, () => loadModel(engine, modelPath));
  }

  return {
    languageModel(pathOrUri) {
      ensureOpen();
      return createLocalLanguageModel({
        modelId: pathOrUri || 'default',
        loadRuntime: async () => (await loadBySpec(pathOrUri || undefined)).runtime,
        defaultMaxOutputTokens,
      });
    },

    async load(pathOrUri) {
      return (await loadBySpec(pathOrUri || undefined)).info;
    },

    stats() {
      const stats: LocalEngineStats = {
        loadedModels: 0,
        busySequences: 0,
        peakBusySequences: 0,
        waitingCalls: 0,
        evaluatedInputTokens: 0,
        evaluatedOutputTokens: 0,
      };
      for (const loaded of settledModels) {
        stats.loadedModels += 1;
        stats.busySequences += loaded.runtime.pool.busy;
        stats.peakBusySequences = Math.max(stats.peakBusySequences, loaded.runtime.pool.peakBusy);
        stats.waitingCalls += loaded.runtime.pool.waiting;
        for (const sequence of loaded.sequences) {
          stats.evaluatedInputTokens += sequence.tokenMeter.usedInputTokens;
          stats.evaluatedOutputTokens += sequence.tokenMeter.usedOutputTokens;
        }
      }
      return stats;
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      // let loads in flight finish, so that nothing they allocate outlives the backend
      await Promise.allSettled([...resolvedPaths.values(), ...loadedModels.values(), ...grammars.values()]);
      const llama = llamaPromise ? await llamaPromise.catch(() => undefined) : undefined;
      await llama?.dispose(); // disposes every model, context and sequence it owns
      resolvedPaths.clear();
      loadedModels.clear();
      settledModels.length = 0;
      grammars.clear();
    },
  };
}
