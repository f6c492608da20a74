/** Deadline of each cloud call. */
export const CLOUD_TIMEOUT_MS = 60_000;
/** A CPU-bound local model answers slowly, and a deadline that cuts it off wastes the work. */
export const LOCAL_TIMEOUT_MS = 600_000;
/** Characters of documents one prompt carries with a cloud model. */
export const CLOUD_PROMPT_CHARACTERS = 24_000;
/** Room in a local context for instructions, the per-item prompt and the answer. */
const LOCAL_RESERVED_TOKENS = 1_536;
/** Conservative: a document that overflows the context fails, one split too finely only costs a call. */
const CHARACTERS_PER_TOKEN = 3;

/** Characters of documents one prompt may carry in a local context of `contextSize` tokens. */
export function localPromptCharacters(contextSize: number): number {
  return Math.max(1_000, (contextSize - LOCAL_RESERVED_TOKENS) * CHARACTERS_PER_TOKEN);
}
