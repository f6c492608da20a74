import { isRecord } from '../json-schema.js';
import { estimateTokens } from '../estimate-tokens.js';
import { parseJsonObject } from '../parse-json-object.js';
import { InvalidWireRequestError, type RequestedOutput, type ServerSentEvent, type Wire, type WireAnswer } from '../wire.js';

/** The tool `@ai-sdk/anthropic` adds for structured output on models without native support. */
const JSON_TOOL_NAME = 'json';

/**
 * Anthropic Messages (`POST {base}/messages`), as sent by `@ai-sdk/anthropic`. For structured output it
 * sends, depending on the model id, either `output_config.format: { type: 'json_schema', schema }`
 * (claude-*-4-5 and newer; keywords such as minItems moved into descriptions) or a forced `json` tool
 * (`tool_choice: { type: 'any' }`) whose `input` it turns back into text. Both are answered.
 */
export const anthropicWire: Wire = {
  name: 'anthropic',

  matchPath(pathname) {
    return pathname.endsWith('/messages') ? {} : undefined;
  },

  parseRequest(body) {
    if (!isRecord(body) || !Array.isArray(body.messages)) {
      throw new InvalidWireRequestError("a messages request needs a 'messages' array");
    }
    const system = flattenContent(body.system);
    const messages = body.messages.map((message) => (isRecord(message) ? flattenContent(message.content) : ''));
    return {
      model: typeof body.model === 'string' ? body.model : 'unknown',
      prompt: [system, ...messages].filter((text) => text !== '').join('\n'),
      isStreaming: body.stream === true,
      includesUsage: true,
      output: readOutput(body),
    };
  },

  buildResponse(answer) {
    const block = buildBlock(answer);
    return {
      id: `msg_fake${answer.id}`,
      type: 'message',
      role: 'assistant',
      model: answer.request.model,
      content: [block],
      stop_reason: block.type === 'tool_use' ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: buildUsage(answer.usage),
    };
  },

  buildStream(answer, pieces) {
    const block = buildBlock(answer);
    const isToolUse = block.type === 'tool_use';
    const event = (type: string, data: Record<string, unknown>, tokens?: number): ServerSentEvent => ({
      event: type,
      data: { type, ...data },
      ...(tokens !== undefined && { tokens }),
    });
    return [
      event('message_start', {
        message: {
          id: `msg_fake${answer.id}`,
          type: 'message',
          role: 'assistant',
          model: answer.request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...buildUsage(answer.usage), output_tokens: 1 },
        },
      }),
      event('content_block_start', { index: 0, content_block: isToolUse ? { ...block, input: {} } : { type: 'text', text: '' } }),
      event('ping', {}),
      ...pieces.map((piece) =>
        event(
          'content_block_delta',
          { index: 0, delta: isToolUse ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece } },
          estimateTokens(piece),
        ),
      ),
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: isToolUse ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: answer.usage.completionTokens },
      }),
      event('message_stop', {}),
    ];
  },

  buildError(status, message) {
    return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
  },

  // Anthropic states the limit in the message; it has no per-day limits, so a per-day hit reads "per day" in the same words
  buildRateLimitError({ unit, period, limit }) {
    const message =
      `This request would exceed the rate limit for your organization (fake-org) of ${limit.toLocaleString('en-US')} ${unit} per ${period}. ` +
      'For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. ' +
      'Please reduce the prompt length or the maximum tokens requested, or try again later.';
    return { type: 'error', error: { type: 'rate_limit_error', message } };
  },

  // resets are RFC 3339 times to the second, rounded up: the budget is whole again by then
  buildRateHeaders({ rpm, tpm, requests, tokens, resetMs, now }) {
    const reset = new Date(Math.ceil((now + resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const headers: Record<string, string> = {};
    if (rpm !== undefined) {
      headers['anthropic-ratelimit-requests-limit'] = String(rpm);
      headers['anthropic-ratelimit-requests-remaining'] = String(Math.max(0, rpm - requests));
      headers['anthropic-ratelimit-requests-reset'] = reset;
    }
    if (tpm !== undefined) {
      headers['anthropic-ratelimit-tokens-limit'] = String(tpm);
      headers['anthropic-ratelimit-tokens-remaining'] = String(Math.max(0, tpm - tokens));
      headers['anthropic-ratelimit-tokens-reset'] = reset;
    }
    return headers;
  },
};

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
};

// tool_use needs an object; broken arguments (rules, faults) go out as a text block, which the SDK reads as the answer
function buildBlock({ id, reply }: WireAnswer): Record<string, unknown> {
  if (reply.type === 'text') return { type: 'text', text: reply.text };
  const input = parseJsonObject(reply.argumentsText);
  if (input === undefined) return { type: 'text', text: reply.argumentsText };
  return { type: 'tool_use', id: `toolu_fake${id}`, name: reply.toolName, input };
}

// Anthropic's input_tokens excludes cache reads; the SDK adds them back for its total
function buildUsage({ promptTokens, completionTokens, cachedTokens }: WireAnswer['usage']): Record<string, unknown> {
  return {
    input_tokens: promptTokens - cachedTokens,
    output_tokens: completionTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cachedTokens,
  };
}

function readOutput(body: Record<string, unknown>): RequestedOutput {
  const tools = (Array.isArray(body.tools) ? body.tools : []).filter(isRecord);
  const toolChoice = isRecord(body.tool_choice) ? body.tool_choice : {};
  if (tools.length > 0 && (toolChoice.type === 'any' || toolChoice.type === 'tool')) {
    const wanted = toolChoice.type === 'tool' ? toolChoice.name : JSON_TOOL_NAME;
    const chosen = tools.find((tool) => tool.name === wanted) ?? tools[0] ?? {};
    return {
      type: 'tool-call',
      toolName: typeof chosen.name === 'string' ? chosen.name : 'tool',
      schema: chosen.input_schema ?? { type: 'object' },
    };
  }
  // `output_config.format` is current; `output_format` is the earlier beta spelling
  const outputConfig = isRecord(body.output_config) ? body.output_config : {};
  const format = isRecord(outputConfig.format) ? outputConfig.format : isRecord(body.output_format) ? body.output_format : undefined;
  if (format?.type === 'json_schema') return { type: 'json', schema: format.schema };
  return { type: 'text' };
}

function flattenContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      if (!isRecord(block)) return '';
      if (typeof block.text === 'string') return block.text;
      if (block.type === 'tool_use') return `${String(block.name)}(${JSON.stringify(block.input)})`;
      if (block.type === 'tool_result') return flattenContent(block.content);
      return '';
    })
    .filter((text) => text !== '')
    .join('\n');
}
