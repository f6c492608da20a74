/**
 * Where completed step results are kept so an interrupted run can resume without paying again.
 * Keys are the step's position in the workflow (or its explicit `key`).
 */
export interface StepJournal {
  read(runId: string, key: string): { value: unknown } | undefined;
  /** Must be durable when it returns: the result is used right after. */
  write(runId: string, key: string, value: unknown): void;
}

/** A response cache shared across runs, keyed by a hash of model, prompt, schema and settings. */
export interface ResponseCache {
  read(hash: string): { value: unknown } | undefined;
  write(hash: string, value: unknown): void;
}
