import { isRecord } from '../json-schema.js';
import { estimateTokens } from '../estimate-tokens.js';
import { parseJsonObject } from '../parse-json-object.js';
import { formatSeconds, InvalidWireRequestError, type RequestedOutput, type ServerSentEvent, type Wire, type WireAnswer } from '../wire.js';

const GEMINI_PATH = /\/models\/([^/]+):(generateContent|streamGenerateContent)$/;

/**
 * Gemini `generateContent` / `streamGenerateContent?alt=sse` (`POST {base}/models/{model}:...`), as sent
 * by `@ai-sdk/google`. It sends `generationConfig.responseMimeType: 'application/json'` plus
 * `responseJsonSchema` (JSON Schema); `responseSchema` (OpenAPI subset, upper-case types) is read too.
 */
export const geminiWire: Wire = {
  name: 'gemini',

  matchPath(pathname) {
    const match = GEMINI_PATH.exec(pathname);
    if (!match) return undefined;
    return { model: decodeURIComponent(match[1] ?? 'unknown'), isStreaming: match[2] === 'streamGenerateContent' };
  },

  parseRequest(body, fromPath) {
    if (!isRecord(body) || !Array.isArray(body.contents)) {
      throw new InvalidWireRequestError("a generateContent request needs a 'contents' array");
    }
    const system = isRecord(body.systemInstruction) ? flattenParts(body.systemInstruction.parts) : '';
    const messages = body.contents.map((content) => (isRecord(content) ? flattenParts(content.parts) : ''));
    return {
      model: fromPath.model ?? 'unknown',
      prompt: [system, ...messages].filter((text) => text !== '').join('\n'),
      isStreaming: fromPath.isStreaming === true,
      includesUsage: true,
      output: readOutput(body),
    };
  },

  buildResponse(answer) {
    return {
      candidates: [{ content: { parts: [buildPart(answer)], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: buildUsage(answer.usage),
      modelVersion: answer.request.model,
      responseId: `fake${answer.id}`,
    };
  },

  buildStream(answer, pieces) {
    const envelope = (candidate: Record<string, unknown>, usage: unknown): unknown => ({
      candidates: [{ index: 0, ...candidate }],
      usageMetadata: usage,
      modelVersion: answer.request.model,
      responseId: `fake${answer.id}`,
    });
    // Gemini sends a function call whole, in one chunk; text arrives in pieces
    if (answer.reply.type === 'tool-call') {
      const tokens = estimateTokens(answer.reply.argumentsText);
      return [{ data: envelope({ content: { parts: [buildPart(answer)], role: 'model' }, finishReason: 'STOP' }, buildUsage(answer.usage)), tokens }];
    }
    const runningUsage = { promptTokenCount: answer.usage.promptTokens, totalTokenCount: answer.usage.promptTokens };
    const events: ServerSentEvent[] = pieces.map((piece, index) => {
      const isLast = index === pieces.length - 1;
      return {
        data: envelope(
          { content: { parts: [{ text: piece }], role: 'model' }, ...(isLast && { finishReason: 'STOP' }) },
          isLast ? buildUsage(answer.usage) : runningUsage,
        ),
        tokens: estimateTokens(piece),
      };
    });
    if (events.length === 0) {
      events.push({ data: envelope({ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP' }, buildUsage(answer.usage)) });
    }
    return events;
  },

  buildError(status, message) {
    return { error: { code: status, message, status: STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT') } };
  },

  // the Gemini API's own shape: a QuotaFailure naming the quota, Help, and RetryInfo (it sends no Retry-After header)
  buildRateLimitError({ unit, period, limit, retryAfterMs, model }) {
    const quota = QUOTAS[`${unit}/${period}`]!;
    const retryDelay = formatSeconds(retryAfterMs);
    return {
      error: {
        code: 429,
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n' +
          `* Quota exceeded for metric: ${quota.metric}, limit: ${limit}, model: ${model}\nPlease retry in ${retryDelay}.`,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ quotaMetric: quota.metric, quotaId: quota.id, quotaDimensions: { location: 'global', model }, quotaValue: String(limit) }],
          },
          { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
        ],
      },
    };
  },

  buildRateHeaders() {
    return {};
  },
};

const QUOTAS: Record<string, { id: string; metric: string }> = {
  'requests/minute': { id: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', metric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' },
  'requests/day': { id: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', metric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests' },
  'tokens/minute': { id: 'GenerateContentInputTokensPerModelPerMinute-FreeTier', metric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count' },
  'tokens/day': { id: 'GenerateContentInputTokensPerModelPerDay-FreeTier', metric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count' },
};

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

// a function call needs an object; broken arguments (rules, faults) go out as text instead
function buildPart({ reply }: WireAnswer): unknown {
  if (reply.type === 'text') return { text: reply.text };
  const args = parseJsonObject(reply.argumentsText);
  return args === undefined ? { text: reply.argumentsText } : { functionCall: { name: reply.toolName, args } };
}

function buildUsage({ promptTokens, completionTokens, cachedTokens }: WireAnswer['usage']): unknown {
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: completionTokens,
    totalTokenCount: promptTokens + completionTokens,
    ...(cachedTokens > 0 && { cachedContentTokenCount: cachedTokens }),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  };
}

function readOutput(body: Record<string, unknown>): RequestedOutput {
  const declarations = (Array.isArray(body.tools) ? body.tools : [])
    .flatMap((tool) => (isRecord(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : []))
    .filter(isRecord);
  const callingConfig =
    isRecord(body.toolConfig) && isRecord(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
  if (declarations.length > 0 && callingConfig.mode === 'ANY') {
    const allowed = Array.isArray(callingConfig.allowedFunctionNames) ? callingConfig.allowedFunctionNames : [];
    const chosen = declarations.find((declaration) => allowed.includes(declaration.name)) ?? declarations[0] ?? {};
    return {
      type: 'tool-call',
      toolName: typeof chosen.name === 'string' ? chosen.name : 'tool',
      schema: chosen.parametersJsonSchema ?? chosen.parameters ?? { type: 'object' },
    };
  }
  const config = isRecord(body.generationConfig) ? body.generationConfig : {};
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (config.responseMimeType === 'application/json' || schema !== undefined) return { type: 'json', schema };
  return { type: 'text' };
}

function flattenParts(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .map((part) => {
      if (!isRecord(part)) return '';
      if (typeof part.text === 'string') return part.text;
      if (isRecord(part.functionCall)) return `${String(part.functionCall.name)}(${JSON.stringify(part.functionCall.args)})`;
      if (isRecord(part.functionResponse)) return JSON.stringify(part.functionResponse.response);
      return '';
    })
    .filter((text) => text !== '')
    .join('\n');
}
