/** Below this many shared tokens, providers do not cache a prefix (OpenAI's floor is 1024; 64 keeps tests small). */
const MIN_CACHED_TOKENS = 64;
const CHARACTERS_PER_TOKEN = 4;

export interface PromptCache {
  /** Whole tokens of the longest prefix this prompt shares with any earlier prompt, or 0 below the floor. */
  cachedTokens(prompt: string): number;
  remember(prompt: string): void;
  clear(): void;
}

/**
 * Simulates provider prompt caching: a prompt that starts like an earlier one reports the shared prefix
 * as cached input tokens.
 *
 * @example
 * const cache = createPromptCache();
 * cache.remember(system + 'question one');
 * cache.cachedTokens(system + 'question two'); // ≈ system.length / 4
 */
export function createPromptCache(): PromptCache {
  const prompts = new Set<string>();
  return {
    cachedTokens(prompt) {
      let longest = 0;
      for (const earlier of prompts) {
        const limit = Math.min(earlier.length, prompt.length);
        if (limit <= longest) continue;
        let shared = 0;
        while (shared < limit && earlier.charCodeAt(shared) === prompt.charCodeAt(shared)) shared += 1;
        longest = Math.max(longest, shared);
      }
      const tokens = Math.floor(longest / CHARACTERS_PER_TOKEN);
      return tokens >= MIN_CACHED_TOKENS ? tokens : 0;
    },
    remember(prompt) {
      prompts.add(prompt);
    },
    clear() {
      prompts.clear();
    },
  };
}
