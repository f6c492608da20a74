/** One journaled result, with a fingerprint of what produced it. */
export interface JournalEntry {
  value: unknown;
  /**
   * A hash of what produced the value (a step's model, prompt, schema and settings; an effect's
   * input). A resume replays the entry only when the step about to run has the same one.
   */
  inputHash?: string;
}

/**
 * Where completed step and effect results are kept so an interrupted run can resume without
 * paying (or acting) again. Keys are positions in the workflow (or an explicit `key`).
 */
export interface StepJournal {
  read(runId: string, key: string): JournalEntry | undefined;
  /** Durable when it returns (or when its promise resolves): the result is used right after. */
  write(runId: string, key: string, entry: JournalEntry): void | Promise<void>;
}

/** A response cache shared across runs, keyed by a hash of model, prompt, schema and settings. */
export interface ResponseCache {
  read(hash: string): { value: unknown } | undefined;
  write(hash: string, value: unknown): void;
}
