import type { ModelMessage } from 'ai';

/** About four characters a token for English text: good enough to hold a TPM budget, reconciled after the call. */
const CHARACTERS_PER_TOKEN = 4;
/** The chat template's wrapping of each message. */
const TOKENS_PER_MESSAGE = 4;

/** A quick estimate of a prompt's tokens, made before the call for the TPM budget and the cost cap. */
export function estimateTokens(input: string | readonly ModelMessage[]): number {
  if (typeof input === 'string') return Math.ceil(input.length / CHARACTERS_PER_TOKEN);
  let total = 0;
  for (const message of input) {
    const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
    total += TOKENS_PER_MESSAGE + Math.ceil(text.length / CHARACTERS_PER_TOKEN);
  }
  return total;
}
