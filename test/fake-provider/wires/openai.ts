import { isRecord } from '../json-schema.js';
import { estimateTokens } from '../estimate-tokens.js';
import { InvalidWireRequestError, type RateBudgetSnapshot, type RequestedOutput, type ServerSentEvent, type Wire, type WireAnswer } from '../wire.js';

/**
 * OpenAI chat completions (`POST {base}/chat/completions`), as sent by `@ai-sdk/openai` `.chat()` and
 * `@ai-sdk/openai-compatible`. Both send `response_format: { type: 'json_schema', json_schema: { name,
 * schema, strict: true } }` for structured output.
 */
export const openaiWire: Wire = {
  name: 'openai',

  matchPath(pathname) {
    return pathname.endsWith('/chat/completions') ? {} : undefined;
  },

  parseRequest(body) {
    if (!isRecord(body) || !Array.isArray(body.messages)) {
      throw new InvalidWireRequestError("a chat completion needs a 'messages' array");
    }
    const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
    return {
      model: typeof body.model === 'string' ? body.model : 'unknown',
      prompt: body.messages.map(flattenMessage).filter((text) => text !== '').join('\n'),
      isStreaming: body.stream === true,
      includesUsage: streamOptions.include_usage === true,
      output: readOutput(body),
    };
  },

  buildResponse({ id, request, reply, usage, created }) {
    const isToolCall = reply.type === 'tool-call';
    return {
      id: `chatcmpl-fake${id}`,
      object: 'chat.completion',
      created,
      model: request.model,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: isToolCall ? null : reply.text,
            refusal: null,
            ...(isToolCall && {
              tool_calls: [{ id: `call_fake${id}`, type: 'function', function: { name: reply.toolName, arguments: reply.argumentsText } }],
            }),
          },
          logprobs: null,
          finish_reason: isToolCall ? 'tool_calls' : 'stop',
        },
      ],
      usage: buildUsage(usage),
    };
  },

  buildStream({ id, request, reply, usage, created }, pieces) {
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): ServerSentEvent['data'] => ({
      id: `chatcmpl-fake${id}`,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      system_fingerprint: 'fp_fake',
      choices,
      ...extra,
    });
    const delta = (content: Record<string, unknown>, finishReason: string | null = null): unknown => ({
      index: 0,
      delta: content,
      logprobs: null,
      finish_reason: finishReason,
    });
    const events: ServerSentEvent[] = [];
    if (reply.type === 'tool-call') {
      events.push({
        data: chunk([
          delta({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: `call_fake${id}`, type: 'function', function: { name: reply.toolName, arguments: '' } }] }),
        ]),
      });
      for (const piece of pieces) {
        events.push({ data: chunk([delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] })]), tokens: estimateTokens(piece) });
      }
    } else {
      events.push({ data: chunk([delta({ role: 'assistant', content: '', refusal: null })]) });
      for (const piece of pieces) events.push({ data: chunk([delta({ content: piece })]), tokens: estimateTokens(piece) });
    }
    events.push({ data: chunk([delta({}, reply.type === 'tool-call' ? 'tool_calls' : 'stop')]) });
    // with include_usage, OpenAI sends usage in one extra chunk whose choices are empty
    if (request.includesUsage) events.push({ data: chunk([], { usage: buildUsage(usage) }) });
    events.push({ data: '[DONE]' });
    return events;
  },

  buildError(status, message) {
    const [type, code] = ERROR_TYPES[status] ?? (status >= 500 ? ['server_error', null] : ['invalid_request_error', null]);
    return { error: { message, type, param: null, code } };
  },

  buildRateLimitError({ unit, period, limit, used, requested, retryAfterMs, model }) {
    const abbreviation = `${unit === 'requests' ? 'R' : 'T'}P${period === 'day' ? 'D' : 'M'}`;
    const message =
      `Rate limit reached for ${model} in organization org-fake on ${unit} per ${period === 'day' ? 'day' : 'min'} (${abbreviation}): ` +
      `Limit ${limit}, Used ${used}, Requested ${requested}. Please try again in ${formatOpenaiDuration(retryAfterMs, true)}. ` +
      'Visit https://platform.openai.com/account/rate-limits to learn more.';
    return { error: { message, type: unit, param: null, code: 'rate_limit_exceeded' } };
  },

  buildRateHeaders(budget) {
    return buildOpenaiRateLimitHeaders(budget);
  },
};

const ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['rate_limit_exceeded', 'rate_limit_exceeded'],
  500: ['server_error', null],
  503: ['server_error', 'server_overloaded'],
};

/**
 * OpenAI's rate-limit headers. A reset is the time until the budget is whole again ("resets to its
 * initial state"), in OpenAI's duration format (`1s`, `6m0s`, `250ms`).
 */
export function buildOpenaiRateLimitHeaders({ rpm, tpm, requests, tokens, resetMs }: RateBudgetSnapshot): Record<string, string> {
  const headers: Record<string, string> = {};
  const reset = formatOpenaiDuration(resetMs);
  if (rpm !== undefined) {
    headers['x-ratelimit-limit-requests'] = String(rpm);
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, rpm - requests));
    headers['x-ratelimit-reset-requests'] = reset;
  }
  if (tpm !== undefined) {
    headers['x-ratelimit-limit-tokens'] = String(tpm);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, tpm - tokens));
    headers['x-ratelimit-reset-tokens'] = reset;
  }
  return headers;
}

/** `250ms`, `1.5s`, `6m0s`, `1h2m3s` (rounded up to the millisecond); `inMessage` prints `7m12s` and `2.7s` alike. */
function formatOpenaiDuration(milliseconds: number, inMessage = false): string {
  const rounded = Math.max(0, Math.ceil(milliseconds));
  if (rounded < 1000 && !inMessage) return `${rounded}ms`;
  const hours = Math.floor(rounded / 3_600_000);
  const minutes = Math.floor((rounded % 3_600_000) / 60_000);
  const seconds = Number(((rounded % 60_000) / 1000).toFixed(3));
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

function buildUsage({ promptTokens, completionTokens, cachedTokens }: WireAnswer['usage']): unknown {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function readOutput(body: Record<string, unknown>): RequestedOutput {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const toolChoice = body.tool_choice;
  const namedTool = isRecord(toolChoice) && isRecord(toolChoice.function) ? toolChoice.function.name : undefined;
  if (tools.length > 0 && (toolChoice === 'required' || typeof namedTool === 'string')) {
    const functions = tools.map((tool) => (isRecord(tool.function) ? tool.function : {}));
    const chosen = functions.find((definition) => definition.name === namedTool) ?? functions[0] ?? {};
    return {
      type: 'tool-call',
      toolName: typeof chosen.name === 'string' ? chosen.name : 'tool',
      schema: chosen.parameters ?? { type: 'object' },
    };
  }
  const format = isRecord(body.response_format) ? body.response_format : undefined;
  if (format?.type === 'json_schema') {
    const jsonSchema = isRecord(format.json_schema) ? format.json_schema : {};
    return { type: 'json', schema: jsonSchema.schema };
  }
  if (format?.type === 'json_object') return { type: 'json' };
  return { type: 'text' };
}

function flattenMessage(message: unknown): string {
  if (!isRecord(message)) return '';
  const parts: string[] = [];
  const content = message.content;
  if (typeof content === 'string') parts.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) if (isRecord(part) && typeof part.text === 'string') parts.push(part.text);
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (isRecord(call) && isRecord(call.function)) parts.push(`${String(call.function.name)}(${String(call.function.arguments)})`);
    }
  }
  return parts.join('\n');
}
