/** The three provider protocols the fake speaks. */
export type WireName = 'openai' | 'gemini' | 'anthropic';

/** What the client asked the model to produce. */
export type RequestedOutput =
  | { type: 'text' }
  /** Structured output in the message content; `schema` is absent for plain JSON mode. */
  | { type: 'json'; schema?: unknown }
  /** A forced tool call; Anthropic's structured output via the `json` tool also lands here. */
  | { type: 'tool-call'; toolName: string; schema: unknown };

/** A request as the fake understands it, whatever wire it came on. */
export interface ModelRequest {
  model: string;
  /** Every message's text flattened in order, system first. */
  prompt: string;
  isStreaming: boolean;
  /** Whether a streamed answer carries usage (OpenAI `stream_options.include_usage`; always on the others). */
  includesUsage: boolean;
  output: RequestedOutput;
}

export type ModelReply =
  | { type: 'text'; text: string }
  /** `argumentsText` may be broken JSON on purpose (rules, faults); wires that need an object fall back to text. */
  | { type: 'tool-call'; toolName: string; argumentsText: string };

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

/** Everything a wire needs to render one successful answer. */
export interface WireAnswer {
  /** Unique per server, used in response and tool-call ids. */
  id: number;
  request: ModelRequest;
  reply: ModelReply;
  usage: TokenUsage;
  /** Epoch seconds. */
  created: number;
}

/** One server-sent event; `tokens` is the completion text it carries, so the server can pace the stream. */
export interface ServerSentEvent {
  event?: string;
  /** Serialised as JSON unless it is already a string (OpenAI's `[DONE]`). */
  data: unknown;
  tokens?: number;
}

/** A limit a request ran into, for the 429 body of wires that name it. */
export interface RateLimitHit {
  unit: 'requests' | 'tokens';
  /** The fake calls its rate window a minute, whatever `windowMs` is, as braid's `windowMs` does. */
  period: 'minute' | 'day';
  limit: number;
  used: number;
  requested: number;
  /** Already rounded as the fake sends it (whole seconds unless `retryAfterMs` is on). */
  retryAfterMs: number;
  model: string;
}

/** The rate budget at the moment of an answer, for wires that send rate-limit headers. */
export interface RateBudgetSnapshot {
  rpm?: number;
  tpm?: number;
  /** Requests and tokens inside the window now. */
  requests: number;
  tokens: number;
  /** Until the window is empty, i.e. the budget is whole again. */
  resetMs: number;
  now: number;
}

/** Thrown by `parseRequest` when the body is not a request this wire accepts; answered with 400. */
export class InvalidWireRequestError extends Error {
  override name = 'InvalidWireRequestError';
}

/** One provider protocol: how to recognise, read and answer its requests. */
export interface Wire {
  readonly name: WireName;
  /** Whether this wire serves the path; returns what the path says (Gemini puts model and streaming there). */
  matchPath(pathname: string): { model?: string; isStreaming?: boolean } | undefined;
  parseRequest(body: unknown, fromPath: { model?: string; isStreaming?: boolean }): ModelRequest;
  buildResponse(answer: WireAnswer): unknown;
  /** `pieces` is the completion text split for streaming, in order. */
  buildStream(answer: WireAnswer, pieces: readonly string[]): ServerSentEvent[];
  /** The provider's own error body for a status. */
  buildError(status: number, message: string): unknown;
  /** The provider's own 429 body naming the limit it hit (its quota, or a message stating the limit). */
  buildRateLimitError(hit: RateLimitHit): unknown;
  /** The provider's rate-limit headers, sent on every answer; none for providers that send none (Gemini). */
  buildRateHeaders(budget: RateBudgetSnapshot): Record<string, string>;
}

/** Seconds as providers print them in messages: `2.7s`, `3s`. */
export function formatSeconds(milliseconds: number): string {
  return `${Number((Math.max(0, milliseconds) / 1000).toFixed(3))}s`;
}
