/** The fake's token count for a text: one token per four characters, rounded up, like a rough BPE. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
