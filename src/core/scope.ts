import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where in a run the current code is: its parent span and its position path. The position path
 * (`/faq#0/answers#0/item#3/answer#0`) is what the journal keys a step's result by, so it must
 * come out the same on every run of the same workflow.
 */
export interface Scope {
  /** Identifies the runtime that opened the scope; steps of another runtime ignore it. */
  owner: object;
  spanId: string;
  path: string;
  /** How many children of each name this scope has started: the `#n` of the next one. */
  counters: Map<string, number>;
}

/** Opens a group span under the current scope and runs `run` inside it. Installed by the runtime. */
export type GroupOpener = <T>(name: string, run: () => Promise<T>) => Promise<T>;

// one AsyncLocalStorage for the module, like OpenTelemetry's context: it holds no state of its own
const storage = new AsyncLocalStorage<{ scope: Scope; openGroup: GroupOpener }>();

export function currentScope(owner: object): Scope | undefined {
  const store = storage.getStore();
  return store?.scope.owner === owner ? store.scope : undefined;
}

export function runInScope<T>(scope: Scope, openGroup: GroupOpener, run: () => Promise<T>): Promise<T> {
  return storage.run({ scope, openGroup }, run);
}

/** The next position under `scope` for a child called `name`. */
export function nextChildPath(scope: Scope, name: string): string {
  const count = scope.counters.get(name) ?? 0;
  scope.counters.set(name, count + 1);
  return `${scope.path}/${name}#${count}`;
}

/**
 * Runs `run` as a named group inside the current run, so traces and journal keys show the
 * structure (which parallel item, which route). Outside a run it simply calls `run`.
 */
export function group<T>(name: string, run: () => Promise<T>): Promise<T> {
  const store = storage.getStore();
  return store ? store.openGroup(name, run) : run();
}
