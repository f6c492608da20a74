import { Output, type LanguageModel, type LanguageModelUsage, type ModelMessage, type SystemModelMessage } from 'ai';
import type { z } from 'zod';

/** Why an attempt follows another: the last one failed on the wire (`retry`) or answered invalid output (`repair`). */
export type AttemptReason = 'retry' | 'repair';

/** One request a step puts on the wire, whether it waits for the whole answer or streams it. */
export interface WireRequest {
  model: LanguageModel;
  instructions: SystemModelMessage | undefined;
  messages: ModelMessage[];
  schema: z.ZodType | undefined;
  maxOutputTokens: number | undefined;
  temperature: number | undefined;
  /** The run's signal joined with this attempt's deadline. */
  abortSignal: AbortSignal;
  /** Why this attempt follows another; undefined on the first. */
  after: AttemptReason | undefined;
  /** Called once, when the answer's first text arrives; only a streamed attempt knows when that is. */
  onFirstToken(): void;
}

/** A complete answer: the validated value (or the text, without a schema) and what the call used. */
export interface WireAnswer {
  value: unknown;
  /** The value as text, for the span. */
  output: string;
  usage: LanguageModelUsage | undefined;
  headers: Record<string, string> | undefined;
}

/**
 * Sends one attempt and waits for its complete answer. Throws what went wrong: the AI SDK's
 * `NoObjectGeneratedError` for output that fails the schema, any other error for the wire.
 */
export type SendAttempt = (request: WireRequest) => Promise<WireAnswer>;

/** The AI SDK call settings both `generateText` and `streamText` get from a request. */
export function callSettingsOf(request: WireRequest) {
  return {
    model: request.model,
    instructions: request.instructions,
    messages: request.messages,
    maxRetries: 0, // braid's own policy retries, so the limiter sees every attempt
    abortSignal: request.abortSignal,
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
    ...(request.schema ? { output: Output.object({ schema: request.schema }) } : {}),
  };
}
