import { streamText, type LanguageModelUsage } from 'ai';
import { callSettingsOf, type AttemptReason, type SendAttempt } from './wire-attempt.js';

/** Where a streamed attempt's text goes as it arrives. */
export interface StreamSink {
  /** An attempt starts; `after` says why it follows another (a sink that showed text must take it back). */
  begin(after: AttemptReason | undefined): void;
  /** Text as the model writes it, in order. */
  text(delta: string): void;
  /** The answer so far, as the AI SDK parsed it: a deep-partial object with a schema, else the text so far. */
  partial(partial: unknown): void;
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
    let failure: { error: unknown } | undefined;
    let text = '';
    let usage: LanguageModelUsage | undefined;
    let headers: Record<string, string> | undefined;
    // the text is read in onChunk rather than from another view of the stream: each view tees it again
    const result = streamText({
      ...callSettingsOf(request),
      onChunk: ({ chunk }) => {
        if (chunk.type === 'finish-step') {
          // read here: each later read of the result's step getters drains another copy of the stream
          usage = chunk.usage;
          headers = chunk.response.headers;
        }
        if (chunk.type !== 'text-delta' || chunk.text === '') return;
        if (text === '') request.onFirstToken();
        text += chunk.text;
        sink.text(chunk.text);
      },
      // the first error is the one to classify: the output promise says only that there was one
      onError: ({ error }) => {
        failure ??= { error };
      },
    });
    // the SDK parses the unfinished answer after every piece anyway: its partials are read, not parsed again
    const partials = (async () => {
      for await (const partial of result.partialOutputStream) sink.partial(partial);
    })().catch(() => {}); // a failed stream's error is the output's, below
    let value: unknown;
    try {
      value = await result.output; // throws NoObjectGeneratedError when the whole answer is invalid
    } catch (error) {
      throw failure ? failure.error : error;
    } finally {
      await partials; // every partial of this attempt is out before the next attempt's reset
    }
    return { value, output: request.schema ? JSON.stringify(value) : text, usage, headers };
  };
}
