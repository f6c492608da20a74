import { generateText, NoObjectGeneratedError, Output, type LanguageModel, type ModelMessage, type SystemModelMessage } from 'ai';
import { z } from 'zod';
import { classifyFailure, readExhaustedBudgetMs } from './classify-failure.js';
import { cancellationError, InvalidOutputError, ProviderCallError, StepTimeoutError } from './errors.js';
import { backoffDelay, sleep, type RetryPolicy } from './backoff.js';
import type { RateLimiter } from './rate-limiter.js';
import { estimateTokens } from './estimate-tokens.js';

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
}

/** Everything one step execution needs from its runtime. */
export interface StepCall<Schema extends z.ZodType | undefined> {
  model: LanguageModel;
  system: string | undefined;
  prompt: string;
  schema: Schema;
  maxOutputTokens: number | undefined;
  temperature: number | undefined;
  timeoutMs: number;
  repairs: number;
  retry: RetryPolicy;
  limiter: RateLimiter;
  signal: AbortSignal;
  /** Called before every attempt with its token estimate; throws to stop the call (the cost cap). */
  beforeAttempt: (estimatedInputTokens: number) => () => void;
  onAttempt: (record: AttemptRecord) => void;
}

export type StepValue<Schema extends z.ZodType | undefined> = Schema extends z.ZodType ? z.infer<Schema> : string;

const REPAIR_INSTRUCTION =
  'Your previous answer was not valid. Reply again with only the JSON value, valid against the schema. The problem was:';

/**
 * Runs one step to a validated value: each attempt waits for the limiter, goes on the wire with
 * its own deadline, and is then retried (429, 5xx, network, timeout) or repaired (invalid output).
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
  const schemaTokens = call.schema ? estimateTokens(JSON.stringify(z.toJSONSchema(call.schema))) : 0;

  let attempts = 0;
  let repairsUsed = 0;
  let transportFailures = 0;
  let backoffMs = 0;
  for (;;) {
    attempts += 1;
    if (call.signal.aborted) throw cancellationError(call.signal);
    const estimatedInput = estimateTokens(instructions ? [instructions, ...messages] : messages) + schemaTokens;
    const lease = await call.limiter
      .acquire({ tokens: estimatedInput + (call.maxOutputTokens ?? 256), signal: call.signal })
      .catch(() => {
        throw cancellationError(call.signal);
      });
    let settleCost: () => void;
    try {
      settleCost = call.beforeAttempt(estimatedInput); // judged when the call would really start
    } catch (error) {
      lease.release();
      throw error;
    }
    const timeout = AbortSignal.timeout(call.timeoutMs);
    const start = Date.now();
    const base = { start, waitMs: lease.waitMs, backoffMs };
    try {
      const result = await generateText({
        model: call.model,
        instructions,
        messages,
        maxRetries: 0, // braid's own policy retries, so the limiter sees every attempt
        abortSignal: AbortSignal.any([call.signal, timeout]),
        maxOutputTokens: call.maxOutputTokens,
        temperature: call.temperature,
        ...(call.schema ? { output: Output.object({ schema: call.schema }) } : {}),
      });
      const usage = readUsage(result.usage);
      const exhaustedMs = readExhaustedBudgetMs(result.response.headers);
      lease.release({ tokens: usage.inputTokens + usage.outputTokens, retryAfterMs: exhaustedMs });
      settleCost();
      const value = (call.schema ? result.output : result.text) as StepValue<Schema>;
      const output = call.schema ? JSON.stringify(value) : result.text;
      call.onAttempt({ ...base, end: Date.now(), ok: true, rateLimited: false, ...usage, output });
      return { value, attempts, output };
    } catch (error) {
      const end = Date.now();
      if (NoObjectGeneratedError.isInstance(error)) {
        const usage = readUsage(error.usage);
        lease.release({ tokens: usage.inputTokens + usage.outputTokens });
        settleCost();
        const rawOutput = error.text ?? '';
        const problem = describeInvalidOutput(error);
        call.onAttempt({ ...base, end, ok: false, rateLimited: false, ...usage, error: problem, output: rawOutput });
        if (repairsUsed >= call.repairs) throw new InvalidOutputError(rawOutput, attempts, { cause: error });
        repairsUsed += 1;
        backoffMs = 0;
        messages.push({ role: 'assistant', content: rawOutput || '(empty)' }, { role: 'user', content: `${REPAIR_INSTRUCTION} ${problem}` });
        continue;
      }
      const failure = classifyFailure(timeout.aborted && !call.signal.aborted ? new StepTimeoutError(call.timeoutMs) : error);
      lease.release({ rateLimited: failure.isRateLimited, retryAfterMs: failure.retryAfterMs });
      settleCost();
      const message = timeout.aborted && !call.signal.aborted ? new StepTimeoutError(call.timeoutMs).message : errorMessage(error);
      call.onAttempt({
        ...base,
        end,
        ok: false,
        rateLimited: failure.isRateLimited,
        httpStatus: failure.statusCode,
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
        error: message,
      });
      if (call.signal.aborted) throw cancellationError(call.signal);
      transportFailures += 1;
      if (!failure.isRetryable || transportFailures > call.retry.maxRetries) {
        const verdict = failure.isRetryable ? `gave up after ${attempts} attempts` : 'not retryable';
        throw new ProviderCallError(`${verdict}: ${message}`, attempts, failure.statusCode, { cause: error });
      }
      backoffMs = Math.max(failure.retryAfterMs ?? 0, backoffDelay(transportFailures, call.retry));
      await sleep(backoffMs, call.signal).catch(() => {
        throw cancellationError(call.signal);
      });
    }
  }
}

function readUsage(usage: { inputTokens?: number; outputTokens?: number; inputTokenDetails?: { cacheReadTokens?: number } } | undefined) {
  return {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: usage?.inputTokenDetails?.cacheReadTokens ?? 0,
  };
}

function describeInvalidOutput(error: NoObjectGeneratedError): string {
  if (error.finishReason === 'length') return 'the answer was cut off at the token limit; answer more briefly';
  const cause = error.cause instanceof Error ? error.cause.message : error.message;
  return cause.length > 600 ? `${cause.slice(0, 600)}…` : cause;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
