import { NoObjectGeneratedError, type LanguageModel, type ModelMessage, type SystemModelMessage } from 'ai';
import type { z } from 'zod';
import { classifyFailure, type FailureClass } from './classify-failure.js';
import type { CostReservation } from './cost-budget.js';
import { cancellationError, InvalidOutputError, ProviderCallError, QuotaExhaustedError, StepTimeoutError } from './errors.js';
import { backoffDelay, sleep, type RetryPolicy } from './backoff.js';
import type { CallOutcome, RateLimiter } from './rate-limiter.js';
import { estimateTokens } from './estimate-tokens.js';
import { redactSecrets } from './redact-secrets.js';
import { modelKeyOf } from './model-key.js';
import { readRateHeaders } from './read-rate-headers.js';
import { generateOnWire } from './generate-on-wire.js';
import type { AttemptReason, SendAttempt } from './wire-attempt.js';

/** One attempt's outcome, as the runtime records it in an attempt span. */
export interface AttemptRecord {
  start: number;
  end: number;
  waitMs: number;
  backoffMs: number;
  ok: boolean;
  rateLimited: boolean;
  httpStatus?: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  error?: string;
  output?: string;
  /** Epoch ms when the answer's first text arrived, on a streamed attempt that got any. */
  firstTokenAt?: number;
}

/** Everything one step execution needs from its runtime. */
export interface StepCall<Schema extends z.ZodType | undefined> {
  model: LanguageModel;
  system: string | undefined;
  prompt: string;
  schema: Schema;
  /** The schema's JSON Schema text, for the token estimate. */
  schemaText: string | undefined;
  maxOutputTokens: number | undefined;
  temperature: number | undefined;
  timeoutMs: number;
  repairs: number;
  retry: RetryPolicy;
  limiter: RateLimiter;
  signal: AbortSignal;
  /** The output tokens the limiter and the cost cap hold for an attempt until its real usage is known. */
  expectedOutputTokens: number;
  /** Holds an attempt's estimated cost, once the limiter let it go; throws to stop the call (the cost cap). */
  reserveCost: (estimatedInputTokens: number) => Promise<CostReservation>;
  /** Records the attempt and settles its reservation with its real cost. */
  onAttempt: (record: AttemptRecord, reservation: CostReservation) => void;
  /** How an attempt goes on the wire. @default waits for the whole answer (`generateText`) */
  send?: SendAttempt;
}

export type StepValue<Schema extends z.ZodType | undefined> = Schema extends z.ZodType ? z.infer<Schema> : string;

const REPAIR_INSTRUCTION =
  'Your previous answer was not valid. Reply again with only the JSON value, valid against the schema. The problem was:';

/** What one attempt on the wire came to. */
type AttemptOutcome<Schema extends z.ZodType | undefined> =
  | { kind: 'valid'; value: StepValue<Schema>; output: string; usage: Usage; headers: Record<string, string> | undefined }
  | { kind: 'invalid'; rawOutput: string; problem: string; usage: Usage; error: NoObjectGeneratedError }
  | { kind: 'failed'; failure: FailureClass; message: string; error: unknown };

interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };

/**
 * Runs one step to a validated value: each attempt waits for the limiter, goes on the wire with
 * its own deadline, and is then retried (429, 5xx, network, timeout) or repaired (invalid output).
 * Every attempt, whatever came of it, ends on one path that releases its limiter slot and records it.
 */
export async function runStep<Schema extends z.ZodType | undefined>(call: StepCall<Schema>): Promise<{
  value: StepValue<Schema>;
  attempts: number;
  output: string;
}> {
  const instructions: SystemModelMessage | undefined =
    call.system === undefined
      ? undefined
      : {
          role: 'system',
          content: call.system,
          // the stable prefix (instructions, documents) goes first; Anthropic caches only where told
          providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
        };
  const messages: ModelMessage[] = [{ role: 'user', content: call.prompt }];
  const schemaTokens = call.schemaText === undefined ? 0 : estimateTokens(call.schemaText);
  let estimatedInput = estimateTokens(instructions ? [instructions, ...messages] : messages) + schemaTokens;

  let attempts = 0;
  let repairsUsed = 0;
  let transportFailures = 0;
  let backoffMs = 0;
  let after: AttemptReason | undefined;
  for (;;) {
    attempts += 1;
    if (call.signal.aborted) throw cancellationError(call.signal);
    const lease = await call.limiter.acquire({ tokens: estimatedInput + call.expectedOutputTokens, signal: call.signal }).catch((error: unknown) => {
      // an abort surfaces as the run's cancellation; anything else the limiter throws is its own error
      throw call.signal.aborted ? cancellationError(call.signal) : error;
    });
    let reservation: CostReservation;
    try {
      reservation = await call.reserveCost(estimatedInput); // judged when the call would really start
    } catch (error) {
      lease.release();
      throw error;
    }

    const start = Date.now();
    let firstTokenAt: number | undefined;
    const outcome = await attempt(call, instructions, messages, after, () => {
      firstTokenAt ??= Date.now();
    });
    const end = Date.now();
    const usage = outcome.kind === 'failed' ? NO_USAGE : outcome.usage;
    // recorded (and its cost settled) before the slot is free: the next call's cost check sees it
    call.onAttempt(
      {
        start,
        end,
        waitMs: lease.waitMs,
        backoffMs,
        ok: outcome.kind === 'valid',
        rateLimited: outcome.kind === 'failed' && outcome.failure.isRateLimited,
        httpStatus: outcome.kind === 'failed' ? outcome.failure.statusCode : undefined,
        ...usage,
        error: outcome.kind === 'valid' ? undefined : outcome.kind === 'invalid' ? outcome.problem : outcome.message,
        output: outcome.kind === 'valid' ? outcome.output : outcome.kind === 'invalid' ? outcome.rawOutput : undefined,
        firstTokenAt,
      },
      reservation,
    );
    // a spent daily quota is not retried for hours: the limiter refuses every further call with it
    const quotaError = outcome.kind === 'failed' ? quotaErrorOf(outcome.failure, call.model, outcome.error) : undefined;
    lease.release(callOutcomeOf(outcome, usage, quotaError));

    if (outcome.kind === 'valid') return { value: outcome.value, attempts, output: outcome.output };
    if (outcome.kind === 'invalid') {
      if (repairsUsed >= call.repairs) throw new InvalidOutputError(outcome.rawOutput, attempts, { cause: outcome.error });
      repairsUsed += 1;
      backoffMs = 0;
      after = 'repair';
      const repair: ModelMessage[] = [
        { role: 'assistant', content: outcome.rawOutput || '(empty)' },
        { role: 'user', content: `${REPAIR_INSTRUCTION} ${outcome.problem}` },
      ];
      messages.push(...repair);
      estimatedInput += estimateTokens(repair);
      continue;
    }
    if (call.signal.aborted) throw cancellationError(call.signal);
    if (quotaError) throw quotaError;
    transportFailures += 1;
    after = 'retry';
    const { failure, message } = outcome;
    if (!failure.isRetryable || transportFailures > call.retry.maxRetries) {
      const verdict = failure.isRetryable ? `gave up after ${attempts} attempts` : 'not retryable';
      throw new ProviderCallError(`${verdict}: ${message}`, attempts, failure.statusCode, { cause: outcome.error });
    }
    backoffMs = Math.max(failure.retryAfterMs ?? 0, backoffDelay(transportFailures, call.retry));
    await sleep(backoffMs, call.signal).catch(() => {
      throw cancellationError(call.signal);
    });
  }
}

/** One request on the wire, with its own deadline; never throws. */
async function attempt<Schema extends z.ZodType | undefined>(
  call: StepCall<Schema>,
  instructions: SystemModelMessage | undefined,
  messages: readonly ModelMessage[],
  after: AttemptReason | undefined,
  onFirstToken: () => void,
): Promise<AttemptOutcome<Schema>> {
  // one controller per attempt, its timer and its listener on the run's signal both removed when it
  // ends: AbortSignal.timeout and AbortSignal.any would keep every attempt (and the request it holds)
  // alive until its deadline passed, which a batch of thousands of fast calls cannot afford
  const attemptController = new AbortController();
  let isTimedOut = false;
  const timer = setTimeout(() => {
    isTimedOut = true;
    attemptController.abort(new StepTimeoutError(call.timeoutMs));
  }, call.timeoutMs);
  const onRunAbort = () => attemptController.abort(call.signal.reason);
  call.signal.addEventListener('abort', onRunAbort, { once: true });
  if (call.signal.aborted) onRunAbort();
  const send = call.send ?? generateOnWire;
  try {
    const answer = await send({
      model: call.model,
      instructions,
      messages: [...messages],
      schema: call.schema,
      maxOutputTokens: call.maxOutputTokens,
      temperature: call.temperature,
      abortSignal: attemptController.signal,
      after,
      onFirstToken,
    });
    return { kind: 'valid', value: answer.value as StepValue<Schema>, output: answer.output, usage: readUsage(answer.usage), headers: answer.headers };
  } catch (error) {
    if (NoObjectGeneratedError.isInstance(error)) {
      return { kind: 'invalid', rawOutput: error.text ?? '', problem: describeInvalidOutput(error), usage: readUsage(error.usage), error };
    }
    const failed = isTimedOut && !call.signal.aborted ? new StepTimeoutError(call.timeoutMs) : error;
    return { kind: 'failed', failure: classifyFailure(failed), message: errorMessage(failed), error: failed };
  } finally {
    clearTimeout(timer);
    call.signal.removeEventListener('abort', onRunAbort);
  }
}

/**
 * What the limiter learns from an attempt: its real usage, the rate headers of its answer, a 429 with
 * how long the provider asked us to wait and the quota its body named, or a spent daily quota.
 */
function callOutcomeOf(outcome: AttemptOutcome<z.ZodType | undefined>, usage: Usage, exhausted: QuotaExhaustedError | undefined): CallOutcome {
  if (outcome.kind === 'failed') {
    const { failure } = outcome;
    return {
      rateLimited: failure.isRateLimited,
      retryAfterMs: failure.retryAfterMs,
      rateHeaders: failure.rateHeaders,
      quotas: failure.rateLimitBody?.quotas,
      exhausted,
    };
  }
  const tokens = usage.inputTokens + usage.outputTokens;
  return outcome.kind === 'valid' ? { tokens, rateHeaders: readRateHeaders(outcome.headers) } : { tokens };
}

function quotaErrorOf(failure: FailureClass, model: LanguageModel, cause: unknown): QuotaExhaustedError | undefined {
  const exhausted = failure.rateLimitBody?.exhausted;
  if (!exhausted) return undefined;
  const { name, limit, unit, resetsAt } = exhausted;
  return new QuotaExhaustedError({ quota: name, modelKey: modelKeyOf(model), limit, unit, resetsAt }, { cause });
}

function readUsage(usage: { inputTokens?: number; outputTokens?: number; inputTokenDetails?: { cacheReadTokens?: number } } | undefined): Usage {
  return {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: usage?.inputTokenDetails?.cacheReadTokens ?? 0,
  };
}

function describeInvalidOutput(error: NoObjectGeneratedError): string {
  if (error.finishReason === 'length') return 'the answer was cut off at the token limit; answer more briefly';
  const cause = error.cause instanceof Error ? error.cause.message : error.message;
  return redactSecrets(cause.length > 600 ? `${cause.slice(0, 600)}…` : cause);
}

function errorMessage(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
