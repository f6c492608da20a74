import { streamText, type LanguageModelUsage } from 'ai';
import { callSettingsOf, type AttemptReason, type SendAttempt } from './wire-attempt.js';

/** Where a streamed attempt's text goes as it arrives. */
export interface StreamSink {
  /** An attempt starts; `after` says why it follows another (a sink that showed text must take it back). */
  begin(after: AttemptReason | undefined): void;
  /** Text as the model writes it. Awaited before the next piece is read, so what the sink emits stays in order. */
  text(delta: string): void | Promise<void>;
}

/**
 * An attempt that streams the answer into `sink` with the AI SDK's `streamText`, then validates the
 * whole of it exactly as `generateText` does: invalid JSON or a schema failure throws
 * `NoObjectGeneratedError`, so the step repairs it; a connection cut mid-answer throws the wire's
 * error, so the step retries it.
 */
export function createStreamOnWire(sink: StreamSink): SendAttempt {
  return async (request) => {
    sink.begin(request.after);
    // errors are read from the stream below; the SDK's default handler would also print them
    const result = streamText({ ...callSettingsOf(request), onError: () => {} });
    let failure: { error: unknown } | undefined;
    let usage: LanguageModelUsage | undefined;
    let headers: Record<string, string> | undefined;
    let text = '';
    for await (const part of result.stream) {
      if (part.type === 'text-delta') {
        if (part.text === '') continue;
        if (text === '') request.onFirstToken();
        text += part.text;
        await sink.text(part.text);
      } else if (part.type === 'finish-step') {
        usage = part.usage;
        headers = part.response.headers;
      } else if (part.type === 'error') {
        failure ??= { error: part.error };
      } else if (part.type === 'abort') {
        failure ??= { error: request.abortSignal.reason };
      }
    }
    if (failure) throw failure.error;
    const value: unknown = await result.output; // throws NoObjectGeneratedError when the whole answer is invalid
    return { value, output: request.schema ? JSON.stringify(value) : text, usage, headers };
  };
}
