/**
 * `signal`: the run waits for an answer (`run.waitFor`). `sleep`: it waits for a time (`run.sleep`).
 */
export type WaitKind = 'signal' | 'sleep';

/** A wait a run is stopped at: what `RunWaitingError`, `braid runs` and the console show. */
export interface PendingWait {
  runId: string;
  /**
   * The wait's position in the workflow (`/refund#0/item[2]#0/approval#0`): with the run id, what
   * an answer is kept under, so it can never reach another run or another branch.
   */
  key: string;
  /** What the run waits for, as the workflow named it: what `braid signal <run> <name>` targets. */
  name: string;
  kind: WaitKind;
  /** The answer's shape as JSON Schema (a signal wait). */
  schema?: unknown;
  /** What to show the person who answers. */
  prompt?: string;
  /** ISO 8601: when a signal wait times out (takes its default, or fails), or when a sleep is due. */
  deadline?: string;
  /** ISO 8601: when the run first reached the wait. */
  since: string;
  /** An answer sent before the wait was reached that its schema then refused: why. A new signal is needed. */
  refusedAnswer?: string;
}

/** A wait as the run reaches it. */
export interface WaitRequest {
  key: string;
  name: string;
  kind: WaitKind;
  /** The answer's shape as JSON Schema (a signal wait): what a signal is checked against. */
  schema?: unknown;
  prompt?: string;
  /** Counted from the first time any session of the run reached this wait, never reset by a resume. */
  timeoutMs?: number;
  /** What the wait takes once its deadline has passed without an answer; without it, it times out. */
  whenDue?: { value: unknown };
}

/** Where a wait stands when the run reaches it. */
export type WaitState =
  | { state: 'answered'; value: unknown; by: 'signal' | 'deadline' }
  | { state: 'pending'; wait: PendingWait }
  | { state: 'timed-out'; wait: PendingWait };

/** How `WaitJournal.deliver` left a signal. */
export interface SignalOutcome {
  runId: string;
  name: string;
  /**
   * `answered`: a pending wait took it (resume the run to go on). `kept`: no wait of that name is
   * pending yet; the next wait of that name (at `key`, when given) that the run reaches takes it.
   */
  delivered: 'answered' | 'kept';
  /** The position of the wait that took it (`answered`), or the one it is kept for. */
  key?: string;
}

/** Which wait a signal is for, and what it carries. */
export interface SignalRequest {
  name: string;
  value: unknown;
  /** The wait's position, when several waits of one name are pending (waits inside `parallel` items). */
  key?: string;
}

/**
 * Where a run's waits and their answers are kept, beside its step journal (braid's run store, or
 * Redis for distributed runs). Every method may answer synchronously or with a promise.
 */
export interface WaitJournal {
  /**
   * Records that the run has reached the wait (keeping the deadline of an earlier session), and
   * says where it stands. An answer kept for it (sent before the wait was reached) is bound to it
   * when `check` accepts it, and refused (recorded on the wait) when not; a stored answer `check`
   * no longer accepts (the schema changed since) is dropped, and the wait is pending again. A wait
   * past its deadline without an answer takes `request.whenDue` (recorded, so every replay and a
   * late signal see the same), or is timed out.
   */
  reach(runId: string, request: WaitRequest, check: (value: unknown) => string | undefined): WaitState | Promise<WaitState>;
  /**
   * Delivers a signal: to the one pending wait of that name (and key, when given), checked against
   * its stored schema, or, when none of that name is pending, kept until one is reached.
   *
   * @throws {InvalidSignalError} when the value does not fit the pending wait's schema; nothing changes.
   * @throws {InputError} when several waits of that name are pending and no key says which, when
   *   the targeted wait is a sleep or was answered already, or when the run does not exist.
   */
  deliver(runId: string, signal: SignalRequest): SignalOutcome | Promise<SignalOutcome>;
  /** The run's waits that are pending, in the order they were reached. */
  pending(runId: string): readonly PendingWait[] | Promise<readonly PendingWait[]>;
}
