import { ChangedEffectError, ChangedStepError } from './errors.js';
import type { JournalEntry, ResponseCache, StepJournal } from './step-store.js';

/** Why a step did not replay, when the journal had an entry for it. */
export type RerunReason = 'changed' | 'invalid';

export type StepLookup =
  | { found: 'journal' | 'cache'; value: unknown }
  | { found: 'none'; rerun?: RerunReason };

/** A run's reads and writes of its journal and the response cache. */
export interface RunJournalAccess {
  /** A journaled (or cached) result for the step at `key` made by the very same inputs, if there is one. */
  lookupStep(key: string, fingerprint: string, isValid: (value: unknown) => boolean, cacheHash: string | undefined): StepLookup;
  /** The effect's journaled result; throws `ChangedEffectError` when it ran with another input. */
  lookupEffect(key: string, fingerprint: string, isValid: (value: unknown) => boolean): { value: unknown } | undefined;
  /**
   * Journals a result. A failed write (a full disk) does not throw: the answer was paid for and is
   * used; the failure is returned, so the step says it is not durable.
   */
  write(key: string, entry: JournalEntry): Promise<unknown>;
  writeCache(hash: string, value: unknown): void;
}

export interface RunJournalAccessOptions {
  runId: string;
  journal?: StepJournal;
  cache?: ResponseCache;
  /** A step whose inputs changed since it was journaled is an error instead of running again. */
  strictResume: boolean;
}

export function createRunJournalAccess({ runId, journal, cache, strictResume }: RunJournalAccessOptions): RunJournalAccess {
  return {
    lookupStep(key, fingerprint, isValid, cacheHash) {
      const journaled = journal?.read(runId, key);
      let rerun: RerunReason | undefined;
      if (journaled) {
        if (journaled.inputHash !== fingerprint) {
          if (strictResume) throw new ChangedStepError(key);
          rerun = 'changed';
        } else if (isValid(journaled.value)) {
          return { found: 'journal', value: journaled.value };
        } else {
          rerun = 'invalid'; // same inputs, but the schema's refinements changed
        }
      }
      const cached = cacheHash === undefined ? undefined : cache?.read(cacheHash);
      if (cached && isValid(cached.value)) return { found: 'cache', value: cached.value };
      return rerun ? { found: 'none', rerun } : { found: 'none' };
    },

    lookupEffect(key, fingerprint, isValid) {
      const journaled = journal?.read(runId, key);
      if (!journaled) return undefined;
      if (journaled.inputHash !== fingerprint) throw new ChangedEffectError(key, 'another input');
      if (!isValid(journaled.value)) throw new ChangedEffectError(key, 'a result its schema no longer accepts');
      return { value: journaled.value };
    },

    async write(key, entry) {
      if (!journal) return undefined;
      try {
        await journal.write(runId, key, entry);
        return undefined;
      } catch (error) {
        return error;
      }
    },

    writeCache(hash, value) {
      try {
        cache?.write(hash, value);
      } catch {
        // the cache is an optimisation: a full disk must not fail a step that has its answer
      }
    },
  };
}
