import type { LanguageModel } from 'ai';
import type { z } from 'zod';
import type { RetryPolicy } from './backoff.js';
import type { CostBudget } from './cost-budget.js';
import { cancellationError, CostLimitError, RunCancelledError, RunWaitingError } from './errors.js';
import type { OutputEstimator } from './expected-output.js';
import type { LimiterRegistry } from './limiter-registry.js';
import { modelKeyOf } from './model-key.js';
import { costOf } from './prices.js';
import type { QuotaStop } from './quota-stop.js';
import type { StepOptions } from './run.js';
import type { RunJournalAccess } from './run-journal-access.js';
import { runStep, type StepValue } from './run-step.js';
import { nextChildPath, type ScopePosition } from './scope.js';
import type { SpanStatus } from './span.js';
import type { SpanRecorder } from './span-recorder.js';
import { convertSchema, stepFingerprint, valueFingerprint } from './step-fingerprint.js';
import type { SendAttempt } from './wire-attempt.js';

/** What a step needs from its runtime. */
export interface StepEngine {
  defaultModel: LanguageModel;
  timeoutMs: number;
  repairs: number;
  retry: RetryPolicy;
  limiters: LimiterRegistry;
  spans: SpanRecorder;
  budget: CostBudget;
  journal: RunJournalAccess;
  outputs: OutputEstimator;
  /** A response cache is configured. */
  hasCache: boolean;
  /** Ends the run once a daily quota is spent and no step is in flight. */
  quotaStop: QuotaStop;
}

/**
 * One typed step at `scope`: replayed from the journal when the run already made it with the same
 * inputs, else answered from the response cache, else run on the wire; journaled before it is used.
 * `send` puts each attempt on the wire (a streamed step streams it); by default it waits for the whole answer.
 */
export async function executeStep<Schema extends z.ZodType | undefined>(
  engine: StepEngine,
  scope: ScopePosition,
  options: StepOptions<Schema>,
  send?: SendAttempt,
): Promise<StepValue<Schema>> {
  const model = options.model ?? engine.defaultModel;
  const modelKey = modelKeyOf(model);
  const key = options.key ?? nextChildPath(scope, options.name);
  const span = engine.spans.open({
    kind: 'step',
    name: options.name,
    key,
    parentId: scope.spanId,
    model: modelKey,
    prompt: excerpt(options.system === undefined ? options.prompt : `${options.system}\n\n${options.prompt}`),
  });
  const fail = (error: unknown): never => {
    span.error = error instanceof Error ? error.message : String(error);
    engine.spans.close(span, statusOf(error));
    throw error;
  };
  if (scope.signal.aborted) fail(cancellationError(scope.signal));

  const schema = options.schema as z.ZodType | undefined;
  const isValid = (value: unknown): boolean => (schema ? schema.safeParse(value).success : typeof value === 'string');
  // one hash of the step's inputs: the journal's version check and the response cache's key
  const fingerprint = stepFingerprint({ modelKey, ...options, schema });
  const cacheHash = engine.hasCache && !options.noCache ? (scope.cacheVariant === undefined ? fingerprint : valueFingerprint([fingerprint, scope.cacheVariant])) : undefined;
  let lookup: ReturnType<RunJournalAccess['lookupStep']>;
  try {
    lookup = engine.journal.lookupStep(key, fingerprint, isValid, cacheHash);
  } catch (error) {
    return fail(error); // a strict resume met a changed step
  }
  if (lookup.found !== 'none') {
    span.replayed = lookup.found;
    span.output = excerpt(JSON.stringify(lookup.value));
    span.attempts = 0;
    if (lookup.found === 'cache') await journal(engine, key, span, lookup.value, fingerprint);
    engine.budget.countCompletedStep();
    engine.spans.close(span, 'ok');
    return lookup.value as StepValue<Schema>;
  }
  if (lookup.rerun) span.rerun = lookup.rerun;

  const converted = schema ? convertSchema(schema) : undefined;
  const expectedOutputTokens = engine.outputs.estimate(modelKey, options.name, converted?.json, options.maxOutputTokens);
  const price = engine.budget.priceOf(modelKey);
  let attempts = 0;
  engine.quotaStop.enter();
  try {
    const result = await runStep({
      model,
      system: options.system,
      prompt: options.prompt,
      schema: options.schema as Schema,
      schemaText: converted?.text,
      maxOutputTokens: options.maxOutputTokens,
      temperature: options.temperature,
      timeoutMs: options.timeoutMs ?? engine.timeoutMs,
      repairs: options.repairs ?? engine.repairs,
      retry: engine.retry,
      limiter: engine.limiters.limiterFor(modelKey),
      signal: scope.signal,
      send,
      expectedOutputTokens,
      reserveCost: (inputTokens) => engine.budget.reserve({ modelKey, inputTokens, outputTokens: expectedOutputTokens }, scope.signal),
      onAttempt: (record, reservation) => {
        attempts += 1;
        const costUsd = price ? costOf(price, record) : undefined;
        reservation.settle(costUsd ?? 0, record.ok);
        if (record.outputTokens > 0) engine.outputs.observe(modelKey, options.name, record.outputTokens);
        // the step's first token is the first its reader saw, even from an attempt that failed later
        if (record.firstTokenAt !== undefined) span.firstTokenMs ??= record.firstTokenAt - span.start;
        const attempt = engine.spans.open({
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
          firstTokenMs: record.firstTokenAt === undefined ? undefined : record.firstTokenAt - record.start,
          error: record.error,
          output: record.output === undefined ? undefined : excerpt(record.output),
        });
        engine.spans.close(attempt, record.ok ? 'ok' : 'error', record.end);
      },
    });
    // journaled before it is used: a crash after this line never pays for the step again
    await journal(engine, key, span, result.value, fingerprint);
    if (cacheHash !== undefined) engine.journal.writeCache(cacheHash, result.value);
    span.attempts = result.attempts;
    span.output = excerpt(result.output);
    engine.spans.close(span, 'ok');
    engine.quotaStop.leave();
    return result.value;
  } catch (error) {
    span.attempts = attempts;
    engine.quotaStop.leave(error);
    return fail(error);
  }
}

/** Journals a step's value; a failed write leaves the answer in use and says so on the span. */
async function journal(engine: StepEngine, key: string, span: { journalError?: string }, value: unknown, inputHash: string): Promise<void> {
  const failure = await engine.journal.write(key, { value, inputHash });
  if (failure !== undefined) span.journalError = failure instanceof Error ? failure.message : String(failure);
}

export function statusOf(error: unknown): SpanStatus {
  if (error instanceof RunWaitingError) return 'waiting';
  return error instanceof RunCancelledError || error instanceof CostLimitError ? 'cancelled' : 'error';
}

const EXCERPT_HEAD = 600;
const EXCERPT_TAIL = 2_400;

/** Keeps spans small: long prompts repeat the same documents on every step, so keep the head and the per-item tail. */
export function excerpt(text: string): string {
  if (text.length <= EXCERPT_HEAD + EXCERPT_TAIL) return text;
  return `${text.slice(0, EXCERPT_HEAD)}\n… ${text.length - EXCERPT_HEAD - EXCERPT_TAIL} characters …\n${text.slice(-EXCERPT_TAIL)}`;
}
