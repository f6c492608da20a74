import { findCriticalPath, type CriticalPath } from '../core/critical-path.js';
import { summarizeRun, type RunSummary } from '../core/run-summary.js';
import type { Span } from '../core/span.js';
import type { RunStore } from '../store/run-store.js';
import type { RunRow } from '../store/runs-table.js';

/** What a run's page is sent: the run's row, and its spans (all of them when `reset`, else the new ones). */
export interface RunUpdate {
  reset: boolean;
  run: RunRow | undefined;
  spans: readonly Span[];
  summary: RunSummary;
  criticalPath: CriticalPath;
}

export interface StoreWatcher {
  /** Calls `listener` with the newest runs now, then whenever the list changes. Returns the unsubscribe. */
  watchRuns(listener: (runs: RunRow[]) => void): () => void;
  /** Calls `listener` with the run's whole trace now (`reset`), then with what is new as it is recorded. Returns the unsubscribe. */
  watchRun(runId: string, listener: (update: RunUpdate) => void): () => void;
  /** Looks at the store now rather than at the next tick (after an action changed it). */
  poke(): void;
  close(): void;
}

export interface StoreWatcherOptions {
  /**
   * How often the store is read while anyone watches. A run records its spans every 200 ms, so a
   * page lags the run by about this much more.
   * @default 250
   */
  pollMs?: number;
  /** Runs in the list, newest first. @default 200 */
  limit?: number;
  /**
   * A running run's spans are handed on at most this often (its status changes at once): each
   * update recomputes the run's summary and critical path, which for a big run is real work, and
   * the page redraws no faster anyway.
   * @default 1000
   */
  runUpdateMs?: number;
}

interface WatchedRun {
  runId: string;
  listeners: Set<(update: RunUpdate) => void>;
  /** The store position of the last span read. */
  next: number;
  spans: Span[];
  row: RunRow | undefined;
  rowText: string;
  summary: RunSummary;
  criticalPath: CriticalPath;
  /** When an update was last handed on. */
  sentAt: number;
}

/**
 * Reads the run store on a timer while anyone watches it (other processes write it; SQLite has no
 * change feed across processes) and hands on what changed. A run's spans are read from where the
 * last read stopped; a span recorded again in place (a resumed session's copy of a group or a
 * retried step) keeps its old position, so the whole trace is read again whenever the run's status
 * changes, which every session start and end does.
 */
export function createStoreWatcher(store: RunStore, { pollMs = 250, limit = 200, runUpdateMs = 1000 }: StoreWatcherOptions = {}): StoreWatcher {
  const listListeners = new Set<(runs: RunRow[]) => void>();
  let runs: RunRow[] = [];
  let runsText = '';
  const watched = new Map<string, WatchedRun>();
  let timer: NodeJS.Timeout | undefined;
  let isClosed = false;

  const readRuns = (): void => {
    const latest = store.listRuns({ limit });
    const text = JSON.stringify(latest);
    if (text === runsText) return;
    runs = latest;
    runsText = text;
    for (const listener of listListeners) listener(runs);
  };

  const updateOf = (run: WatchedRun, reset: boolean, spans: readonly Span[]): RunUpdate => ({
    reset,
    run: run.row,
    spans,
    summary: run.summary,
    criticalPath: run.criticalPath,
  });

  const readRun = (run: WatchedRun): void => {
    const row = store.getRun(run.runId);
    const rowText = JSON.stringify(row ?? null);
    const isNewSession = row?.status !== run.row?.status;
    if (!isNewSession && Date.now() - run.sentAt < runUpdateMs) return;
    const fresh = store.runSpansSince(run.runId, isNewSession ? 0 : run.next);
    if (!isNewSession && fresh.spans.length === 0 && rowText === run.rowText) return;
    run.next = fresh.next;
    run.spans = isNewSession ? fresh.spans : run.spans.concat(fresh.spans);
    run.row = row;
    run.rowText = rowText;
    run.summary = summarizeRun(run.runId, run.spans);
    run.criticalPath = findCriticalPath(run.spans);
    const update = updateOf(run, isNewSession, isNewSession ? run.spans : fresh.spans);
    run.sentAt = Date.now();
    for (const listener of run.listeners) listener(update);
  };

  const tick = (): void => {
    try {
      if (listListeners.size > 0) readRuns();
      for (const run of watched.values()) readRun(run);
    } catch {
      // another process holds the write lock past the busy timeout: the next tick reads again
    }
  };

  const schedule = (): void => {
    const isWatched = listListeners.size > 0 || watched.size > 0;
    if (isWatched && !timer && !isClosed) {
      timer = setInterval(tick, pollMs);
      timer.unref();
    } else if (!isWatched && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    watchRuns(listener) {
      if (listListeners.size === 0) {
        runsText = ''; // nobody was watching: what we hold may be stale
        readRuns();
      }
      listListeners.add(listener);
      listener(runs);
      schedule();
      return () => {
        listListeners.delete(listener);
        schedule();
      };
    },

    watchRun(runId, listener) {
      let run = watched.get(runId);
      if (!run) {
        const { spans, next } = store.runSpansSince(runId, 0);
        const row = store.getRun(runId);
        run = {
          runId,
          listeners: new Set(),
          next,
          spans,
          row,
          rowText: JSON.stringify(row ?? null),
          summary: summarizeRun(runId, spans),
          criticalPath: findCriticalPath(spans),
          sentAt: Date.now(),
        };
        watched.set(runId, run);
      }
      run.listeners.add(listener);
      listener(updateOf(run, true, run.spans));
      schedule();
      const watchedRun = run;
      return () => {
        watchedRun.listeners.delete(listener);
        if (watchedRun.listeners.size === 0) watched.delete(runId);
        schedule();
      };
    },

    poke: tick,

    close() {
      isClosed = true;
      listListeners.clear();
      watched.clear();
      schedule();
    },
  };
}
