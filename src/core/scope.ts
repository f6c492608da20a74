/**
 * Where in a run a scope is: its span, its position path and its signal. The position path
 * (`/faq#0/question[3]#0/answer#0`) is what the journal keys a step's result by, so it must come
 * out the same on every run of the same workflow: it is built from names and counts within one
 * scope, and every pattern gives each of its branches a scope of its own.
 */
export interface ScopePosition {
  spanId: string;
  path: string;
  signal: AbortSignal;
  /** How many children of each name this scope has started: the `#n` of the next one. */
  counters: Map<string, number>;
  /** Set by `group(…, { cacheVariant })` and inherited: steps under it keep their own response-cache entries. */
  cacheVariant?: string;
}

/** The next position under `scope` for a child called `name`. */
export function nextChildPath(scope: ScopePosition, name: string): string {
  const count = scope.counters.get(name) ?? 0;
  scope.counters.set(name, count + 1);
  return `${scope.path}/${name}#${count}`;
}
