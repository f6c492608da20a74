import { createHash, randomUUID } from 'node:crypto';
import type { LanguageModel } from 'ai';
import { z } from 'zod';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import { cancellationError, CostLimitError, MissingSettingError, RunCancelledError } from './errors.js';
import { createLimiterRegistry, type LimiterRegistry, type LimitsSetting } from './limiter-registry.js';
import { modelKeyOf } from './model-key.js';
import { createOtelBridge } from './otel-bridge.js';
import { costOf, DEFAULT_PRICES, findPrice, type PriceTable } from './prices.js';
import { runStep, type AttemptRecord, type StepValue } from './run-step.js';
import { summarizeRun, type RunSummary } from './run-summary.js';
import { currentScope, nextChildPath, runInScope, type GroupOpener, type Scope } from './scope.js';
import type { Span, SpanStatus } from './span.js';
import type { ResponseCache, StepJournal } from './step-store.js';
import { createTraceFileWriter } from './trace-file.js';

export interface RuntimeOptions {
  /** The model steps use unless they name their own. */
  model: LanguageModel;
  /** Budgets per provider + model. Ignored when `limiters` is given. @default { concurrency: 32 } */
  limits?: LimitsSetting;
  /** Share limiters with other runtimes of the process, so they share one provider budget. */
  limiters?: LimiterRegistry;
  /** Retries of 429s, 5xx, network errors and timeouts. @default { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 } */
  retry?: Partial<RetryPolicy>;
  /** Re-asks with the validation error when output is invalid, per step. @default 2 */
  repairs?: number;
  /** Deadline of each attempt on the wire. @default 60_000 */
  timeoutMs?: number;
  /** Hard spending cap of the run in USD: no call starts that could cross it. */
  maxCostUsd?: number;
  /** Merged over `DEFAULT_PRICES`, USD per million tokens. */
  prices?: PriceTable;
  /** Cancels the whole run and everything in flight. */
  signal?: AbortSignal;
  /** Also write every span to this JSONL file as it ends. */
  traceFile?: string;
  /** Called with every span as it ends. */
  onSpan?: (span: Span) => void;
  /** Names the run; also the journal's key. @default a random id */
  runId?: string;
  /** A name for the root span (the workflow). @default 'run' */
  name?: string;
  journal?: StepJournal;
  cache?: ResponseCache;
}

export interface StepOptions<Schema extends z.ZodType | undefined> {
  name: string;
  /** The per-item part of the prompt. */
  prompt: string;
  /** The stable part: instructions and documents shared by many steps. Sent first, so prefixes can be reused and cached. */
  system?: string;
  /** Validates (and types) the output. Without it the step returns text. */
  schema?: Schema;
  model?: LanguageModel;
  maxOutputTokens?: number;
  temperature?: number;
  /** @default the runtime's `timeoutMs` */
  timeoutMs?: number;
  /** @default the runtime's `repairs` */
  repairs?: number;
  /** Journal key; by default the step's position in the workflow. */
  key?: string;
  /** Skip the response cache for this step (e.g. when it must act anew). */
  noCache?: boolean;
}

export interface Runtime {
  readonly runId: string;
  /** Aborts when the run is cancelled, by the caller's signal or `cancel()`. */
  readonly signal: AbortSignal;
  /** One typed LLM call: limited, retried, repaired, traced, journaled. */
  step<Schema extends z.ZodType | undefined = undefined>(options: StepOptions<Schema>): Promise<StepValue<Schema>>;
  /** Runs a workflow body inside the run, so patterns record their structure. */
  run<T>(name: string, body: () => Promise<T>): Promise<T>;
  cancel(reason?: string): void;
  spans(): readonly Span[];
  summary(): RunSummary;
  /** Ends the run's root span and returns the summary. */
  finish(status?: SpanStatus): RunSummary;
}

/**
 * Creates a runtime: one run, with its limiters, retry policy, cost cap and trace.
 *
 * @example
 * const braid = createRuntime({ model: createModel('google:gemini-2.5-flash'), limits: { rpm: 60 } });
 * const { questions } = await braid.step({ name: 'questions', prompt, schema: Questions });
 */
export function createRuntime({
  model: defaultModel,
  limits = {},
  limiters = createLimiterRegistry(limits),
  retry = {},
  repairs = 2,
  timeoutMs = 60_000,
  maxCostUsd,
  prices = {},
  signal: callerSignal,
  traceFile,
  onSpan,
  runId = randomUUID(),
  name = 'run',
  journal,
  cache,
}: RuntimeOptions): Runtime {
  const retryPolicy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...retry };
  const priceTable: PriceTable = { ...DEFAULT_PRICES, ...prices };
  const controller = new AbortController();
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  const traceWriter = traceFile ? createTraceFileWriter(traceFile) : undefined;
  const otel = createOtelBridge();
  const spans: Span[] = [];
  const owner = {};
  let spentUsd = 0;
  let reservedUsd = 0;
  let completedSteps = 0;
  let costCapReached = false;

  function openSpan(fields: Omit<Span, 'id' | 'runId' | 'start' | 'end' | 'status'> & { start?: number }): Span {
    const span: Span = { id: randomUUID(), runId, start: Date.now(), end: 0, status: 'ok', ...fields };
    spans.push(span);
    otel.start(span);
    return span;
  }

  function closeSpan(span: Span, status: SpanStatus, end = Date.now()): void {
    span.end = end;
    span.status = status;
    otel.end(span);
    traceWriter?.write(span);
    onSpan?.(span);
  }

  const root = openSpan({ kind: 'run', name });
  const rootScope: Scope = { owner, spanId: root.id, path: '', counters: new Map() };

  const openGroup: GroupOpener = async (groupName, body) => {
    const parent = currentScope(owner) ?? rootScope;
    const span = openSpan({ kind: 'group', name: groupName, parentId: parent.spanId });
    const scope: Scope = { owner, spanId: span.id, path: nextChildPath(parent, groupName), counters: new Map() };
    try {
      const result = await runInScope(scope, openGroup, body);
      closeSpan(span, 'ok');
      return result;
    } catch (error) {
      span.error = error instanceof Error ? error.message : String(error);
      closeSpan(span, statusOf(error));
      throw error;
    }
  };

  /** Reserves the attempt's estimated cost against the cap; the returned function releases it. */
  function reserveCost(modelKey: string, estimatedInputTokens: number, maxOutputTokens: number | undefined): () => void {
    if (maxCostUsd === undefined) return () => {};
    const price = findPrice(priceTable, modelKey);
    if (!price) {
      throw new MissingSettingError('prices', `maxCostUsd needs a price for ${modelKey}: pass prices (or --prices FILE) for it`);
    }
    const estimate = costOf(price, { inputTokens: estimatedInputTokens, outputTokens: maxOutputTokens ?? 512 });
    if (costCapReached || spentUsd + reservedUsd + estimate > maxCostUsd) {
      // once reached, the cap stays reached: nothing new starts, calls in flight finish
      costCapReached = true;
      throw new CostLimitError(spentUsd, maxCostUsd, completedSteps);
    }
    reservedUsd += estimate;
    let settled = false;
    return () => {
      if (!settled) reservedUsd -= estimate;
      settled = true;
    };
  }

  async function step<Schema extends z.ZodType | undefined = undefined>(options: StepOptions<Schema>): Promise<StepValue<Schema>> {
    const model = options.model ?? defaultModel;
    const modelKey = modelKeyOf(model);
    const parent = currentScope(owner) ?? rootScope;
    const key = options.key ?? nextChildPath(parent, options.name);
    const span = openSpan({
      kind: 'step',
      name: options.name,
      parentId: parent.spanId,
      model: modelKey,
      prompt: excerpt(options.system === undefined ? options.prompt : `${options.system}\n\n${options.prompt}`),
    });
    if (signal.aborted) {
      const error = cancellationError(signal);
      span.error = error.message;
      closeSpan(span, statusOf(error));
      throw error;
    }

    // hashed once: the same key serves the read below and the write after the call
    const cacheHash = cache && !options.noCache ? cacheKey(options, modelKey) : undefined;
    const replayed = replay(options, key, cacheHash);
    if (replayed) {
      span.replayed = replayed.from;
      span.output = excerpt(JSON.stringify(replayed.value));
      span.attempts = 0;
      if (replayed.from === 'cache') journal?.write(runId, key, replayed.value);
      completedSteps += 1;
      closeSpan(span, 'ok');
      return replayed.value as StepValue<Schema>;
    }

    const onAttempt = (record: AttemptRecord): void => {
      const price = findPrice(priceTable, modelKey);
      const costUsd = price ? costOf(price, record) : undefined;
      spentUsd += costUsd ?? 0;
      const attempt = openSpan({
        kind: 'attempt',
        name: options.name,
        parentId: span.id,
        model: modelKey,
        start: record.start,
        waitMs: record.waitMs,
        backoffMs: record.backoffMs,
        rateLimited: record.rateLimited || undefined,
        httpStatus: record.httpStatus,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        cachedInputTokens: record.cachedInputTokens,
        costUsd,
        error: record.error,
        output: record.output === undefined ? undefined : excerpt(record.output),
      });
      closeSpan(attempt, record.ok ? 'ok' : 'error', record.end);
    };

    try {
      const result = await runStep({
        model,
        system: options.system,
        prompt: options.prompt,
        schema: options.schema as Schema,
        maxOutputTokens: options.maxOutputTokens,
        temperature: options.temperature,
        timeoutMs: options.timeoutMs ?? timeoutMs,
        repairs: options.repairs ?? repairs,
        retry: retryPolicy,
        limiter: limiters.limiterFor(modelKey),
        signal,
        beforeAttempt: (tokens) => reserveCost(modelKey, tokens, options.maxOutputTokens),
        onAttempt,
      });
      // journaled before it is used: a crash after this line never pays for the step again
      journal?.write(runId, key, result.value);
      if (cacheHash !== undefined) cache?.write(cacheHash, result.value);
      completedSteps += 1;
      span.attempts = result.attempts;
      span.output = excerpt(result.output);
      closeSpan(span, 'ok');
      return result.value;
    } catch (error) {
      span.attempts = spans.filter((candidate) => candidate.parentId === span.id).length;
      span.error = error instanceof Error ? error.message : String(error);
      closeSpan(span, statusOf(error));
      throw error;
    }
  }

  function replay(options: StepOptions<z.ZodType | undefined>, key: string, cacheHash: string | undefined) {
    const journaled = journal?.read(runId, key);
    if (journaled && isValid(options.schema, journaled.value)) return { from: 'journal' as const, value: journaled.value };
    const cached = cacheHash === undefined ? undefined : cache?.read(cacheHash);
    if (cached && isValid(options.schema, cached.value)) return { from: 'cache' as const, value: cached.value };
    return undefined;
  }

  return {
    runId,
    signal,
    step,
    run: (runName, body) => runInScope(rootScope, openGroup, () => openGroup(runName, body)),
    cancel(reason = 'cancelled') {
      controller.abort(new RunCancelledError(reason));
    },
    spans: () => spans,
    summary: () => summarizeRun(runId, spans),
    finish(status = 'ok') {
      if (root.end === 0) closeSpan(root, status);
      return summarizeRun(runId, spans);
    },
  };
}

/** The response-cache key: everything that shapes the answer. */
function cacheKey(options: StepOptions<z.ZodType | undefined>, modelKey: string): string {
  const schema = options.schema ? z.toJSONSchema(options.schema) : null;
  const material = JSON.stringify([modelKey, options.system ?? null, options.prompt, schema, options.temperature ?? null, options.maxOutputTokens ?? null]);
  return createHash('sha256').update(material).digest('hex');
}

function isValid(schema: z.ZodType | undefined, value: unknown): boolean {
  return schema ? schema.safeParse(value).success : typeof value === 'string';
}

function statusOf(error: unknown): SpanStatus {
  return error instanceof RunCancelledError || error instanceof CostLimitError ? 'cancelled' : 'error';
}

const EXCERPT_HEAD = 600;
const EXCERPT_TAIL = 2_400;

/** Keeps spans small: long prompts repeat the same documents on every step, so keep the head and the per-item tail. */
function excerpt(text: string): string {
  if (text.length <= EXCERPT_HEAD + EXCERPT_TAIL) return text;
  return `${text.slice(0, EXCERPT_HEAD)}\n… ${text.length - EXCERPT_HEAD - EXCERPT_TAIL} characters …\n${text.slice(-EXCERPT_TAIL)}`;
}
