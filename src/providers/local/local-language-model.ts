import type {
  JSONObject,
  JSONSchema7,
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { injectJsonInstructionIntoMessages } from '@ai-sdk/provider-utils';
import type {
  ChatHistoryItem,
  ChatWrapper,
  LlamaChat,
  LlamaChatResponse,
  LlamaChatResponseChunk,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  Token,
} from 'node-llama-cpp';
import { promptToChatHistory } from './prompt-to-chat-history.js';
import type { SequencePool } from './sequence-pool.js';

/** A loaded model as the language model uses it; `createLocalEngine` builds one per model file. */
export interface LocalModelRuntime {
  /** Absolute path of the GGUF file. */
  modelPath: string;
  model: LlamaModel;
  chatWrapper: ChatWrapper;
  pool: SequencePool<LlamaContextSequence, Token>;
  /** The chat bound to a pooled sequence. */
  chatFor(sequence: LlamaContextSequence): LlamaChat;
  /** A grammar for JSON output (from `schema` when given, else any JSON object) whose longest output fits `maxOutputTokens`. Cached. */
  jsonGrammar(schema: JSONSchema7 | undefined, maxOutputTokens: number): Promise<LlamaGrammar>;
}

export interface LocalLanguageModelOptions {
  /** What the model is called in results and telemetry: the spec it was asked for. */
  modelId: string;
  /** Loads (once, however often called) the model this language model runs on. */
  loadRuntime: () => Promise<LocalModelRuntime>;
  /**
   * Output tokens when the call sets no `maxOutputTokens`: always bound, since a grammar-bound
   * weak model can otherwise run to the end of its context.
   * @default 1024
   */
  defaultMaxOutputTokens?: number;
}

/** What braid puts in `providerMetadata.local` for each call. */
export interface LocalCallMetadata {
  /** Prompt tokens decoded in this call. */
  evaluatedPromptTokens: number;
  /** Prompt tokens the sequence already held from an earlier call, so not decoded again. */
  reusedPromptTokens: number;
  /** Output tokens per second, over the whole call once it had a sequence (prompt decoding included). */
  tokensPerSecond: number;
}

interface PreparedCall {
  history: ChatHistoryItem[];
  warnings: SharedV4Warning[];
  json: { schema: JSONSchema7 | undefined } | undefined;
}

interface CallOutcome {
  text: string;
  reasoning: string;
  finishReason: LanguageModelV4FinishReason;
  usage: LanguageModelV4Usage;
  metadata: LocalCallMetadata;
  modelId: string;
}

type Delta = { kind: 'text' | 'reasoning'; delta: string };

/**
 * The embedded model as an AI SDK `LanguageModelV4`, so `generateText`, `streamText` and
 * `Output.object` work on it as on cloud providers. JSON output is enforced with a grammar built
 * from the schema; tools and files are not supported and say so in `warnings`.
 *
 * @example
 * const model = createLocalLanguageModel({ modelId: 'local', loadRuntime: () => engine.load() });
 * const { text } = await generateText({ model, prompt: 'Hi' });
 */
export function createLocalLanguageModel({
  modelId,
  loadRuntime,
  defaultMaxOutputTokens = 1024,
}: LocalLanguageModelOptions): LanguageModelV4 {
  async function run(options: LanguageModelV4CallOptions, prepared: PreparedCall, onDelta: (delta: Delta) => void): Promise<CallOutcome> {
    const signal = options.abortSignal;
    signal?.throwIfAborted();
    const runtime = await loadRuntime();
    signal?.throwIfAborted();
    const maxTokens = options.maxOutputTokens ?? defaultMaxOutputTokens;
    const grammar = prepared.json ? await runtime.jsonGrammar(prepared.json.schema, maxTokens) : undefined;
    const promptTokens = runtime.chatWrapper
      .generateContextState({ chatHistory: prepared.history })
      .contextText.tokenize(runtime.model.tokenizer);

    const lease = await runtime.pool.acquire(promptTokens, signal);
    try {
      const sequence = lease.sequence;
      const meterBefore = sequence.tokenMeter.getState();
      const startedAt = performance.now();
      let outputTokens = 0;
      const response: LlamaChatResponse = await runtime.chatFor(sequence).generateResponse(prepared.history, {
        maxTokens,
        temperature: options.temperature,
        topK: options.topK,
        topP: options.topP,
        seed: options.seed,
        repeatPenalty:
          options.presencePenalty !== undefined || options.frequencyPenalty !== undefined
            ? { presencePenalty: options.presencePenalty, frequencyPenalty: options.frequencyPenalty }
            : undefined,
        customStopTriggers: options.stopSequences?.length ? options.stopSequences : undefined,
        grammar,
        signal,
        onResponseChunk: (chunk: LlamaChatResponseChunk) => {
          outputTokens += chunk.tokens.length;
          if (chunk.text === '') return;
          if (chunk.type === undefined) onDelta({ kind: 'text', delta: chunk.text });
          else if (chunk.segmentType === 'thought') onDelta({ kind: 'reasoning', delta: chunk.text });
        },
      });
      const seconds = (performance.now() - startedAt) / 1000;
      const meter = sequence.tokenMeter.diff(meterBefore);
      // the meter counts a prompt's last token as "output" (it is decoded for its logits), so add it back
      const evaluatedPromptTokens = Math.min(promptTokens.length, meter.usedInputTokens + 1);
      const reusedPromptTokens = promptTokens.length - evaluatedPromptTokens;
      const metadata: LocalCallMetadata = {
        evaluatedPromptTokens,
        reusedPromptTokens,
        tokensPerSecond: seconds > 0 ? Math.round((outputTokens / seconds) * 10) / 10 : 0,
      };
      return {
        text: response.response,
        reasoning: response.fullResponse
          .map((item) => (typeof item !== 'string' && item.segmentType === 'thought' ? item.text : ''))
          .join(''),
        finishReason: toFinishReason(response.metadata.stopReason),
        usage: {
          inputTokens: { total: promptTokens.length, noCache: evaluatedPromptTokens, cacheRead: reusedPromptTokens, cacheWrite: undefined },
          outputTokens: { total: outputTokens, text: undefined, reasoning: undefined },
          raw: { promptTokens: promptTokens.length, outputTokens, ...meter } satisfies JSONObject,
        },
        metadata,
        modelId: runtime.modelPath.split(/[\\/]/).at(-1) ?? modelId,
      };
    } finally {
      lease.release(); // an abort or error frees the sequence for the next call
    }
  }

  return {
    specificationVersion: 'v4',
    provider: 'local',
    modelId,
    supportedUrls: {},

    async doGenerate(options): Promise<LanguageModelV4GenerateResult> {
      const prepared = prepare(options);
      const outcome = await run(options, prepared, () => {});
      const content: LanguageModelV4Content[] = [];
      if (outcome.reasoning) content.push({ type: 'reasoning', text: outcome.reasoning });
      content.push({ type: 'text', text: outcome.text });
      return {
        content,
        finishReason: outcome.finishReason,
        usage: outcome.usage,
        providerMetadata: { local: { ...outcome.metadata } },
        response: { modelId: outcome.modelId, timestamp: new Date() },
        warnings: prepared.warnings,
      };
    },

    async doStream(options) {
      const prepared = prepare(options);
      const stop = new AbortController(); // the consumer may cancel the stream without a signal of its own
      const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, stop.signal]) : stop.signal;
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        start(controller) {
          controller.enqueue({ type: 'stream-start', warnings: prepared.warnings });
          let open: Delta['kind'] | undefined;
          const blockId = { text: 'text-0', reasoning: 'reasoning-0' } as const;
          const close = () => {
            if (open === 'text') controller.enqueue({ type: 'text-end', id: blockId.text });
            if (open === 'reasoning') controller.enqueue({ type: 'reasoning-end', id: blockId.reasoning });
            open = undefined;
          };
          const onDelta = ({ kind, delta }: Delta) => {
            if (signal.aborted) return;
            if (open !== kind) {
              close();
              controller.enqueue({ type: kind === 'text' ? 'text-start' : 'reasoning-start', id: blockId[kind] });
              open = kind;
            }
            controller.enqueue({ type: kind === 'text' ? 'text-delta' : 'reasoning-delta', id: blockId[kind], delta });
          };
          run({ ...options, abortSignal: signal }, prepared, onDelta).then(
            (outcome) => {
              close();
              controller.enqueue({ type: 'response-metadata', modelId: outcome.modelId, timestamp: new Date() });
              controller.enqueue({
                type: 'finish',
                finishReason: outcome.finishReason,
                usage: outcome.usage,
                providerMetadata: { local: { ...outcome.metadata } },
              });
              controller.close();
            },
            (error: unknown) => {
              if (!stop.signal.aborted) controller.error(error);
            },
          );
        },
        cancel() {
          stop.abort();
        },
      });
      return { stream };
    },
  };
}

function prepare(options: LanguageModelV4CallOptions): PreparedCall {
  const format = options.responseFormat;
  const json = format?.type === 'json' ? { schema: format.schema } : undefined;
  // the grammar fixes the shape; the schema in the prompt tells the model what the fields mean
  const prompt = json ? injectJsonInstructionIntoMessages({ messages: options.prompt, schema: json.schema }) : options.prompt;
  const { history, warnings } = promptToChatHistory(prompt);
  if (options.tools?.length) {
    warnings.push({ type: 'unsupported', feature: 'tools', details: 'the local model runs no tools; they were ignored' });
  }
  if (options.toolChoice && options.toolChoice.type !== 'auto' && options.toolChoice.type !== 'none') {
    warnings.push({ type: 'unsupported', feature: 'toolChoice' });
  }
  if (options.reasoning && options.reasoning !== 'provider-default') {
    warnings.push({ type: 'unsupported', feature: 'reasoning', details: 'the local model reasons as its chat template does' });
  }
  return { history, warnings, json };
}

function toFinishReason(stopReason: LlamaChatResponse['metadata']['stopReason']): LanguageModelV4FinishReason {
  switch (stopReason) {
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return { unified: 'stop', raw: stopReason };
    case 'maxTokens':
      return { unified: 'length', raw: stopReason };
    case 'functionCalls':
      return { unified: 'tool-calls', raw: stopReason };
    case 'abort':
      return { unified: 'other', raw: stopReason };
  }
}
