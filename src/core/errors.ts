import { describeWait } from './describe-wait.js';
import type { PendingWait } from './wait-journal.js';


/** The root of every error braid throws on purpose. */
export class BraidError extends Error {
  override name = 'BraidError';
}

/** The user's input cannot be used: a missing file, an empty document, a bad config or option. Exit code 2. */
export class InputError extends BraidError {
  override name = 'InputError';
}

/** A model spec string that braid cannot parse or does not know. */
export class ModelSpecError extends BraidError {
  override name = 'ModelSpecError';
}

/** A provider needs a setting (a key, a base URL) that is not there. Never holds the key itself. */
export class MissingSettingError extends BraidError {
  override name = 'MissingSettingError';
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
  }
}

/** The model kept answering with output that is not valid JSON or fails the schema. */
export class InvalidOutputError extends BraidError {
  override name = 'InvalidOutputError';
  readonly rawOutput: string;
  readonly attempts: number;
  constructor(rawOutput: string, attempts: number, options: { cause: unknown }) {
    super(`output failed the schema after ${attempts} attempts: ${describeCause(options.cause)}`, options);
    this.rawOutput = rawOutput;
    this.attempts = attempts;
  }
}

/** A call failed on the wire, after every retry the policy allowed (or at once, when not retryable). */
export class ProviderCallError extends BraidError {
  override name = 'ProviderCallError';
  readonly attempts: number;
  readonly statusCode: number | undefined;
  constructor(message: string, attempts: number, statusCode: number | undefined, options: { cause: unknown }) {
    super(message, options);
    this.attempts = attempts;
    this.statusCode = statusCode;
  }
}

/** One attempt ran past its deadline. Retryable; surfaces as a ProviderCallError cause when retries run out. */
export class StepTimeoutError extends BraidError {
  override name = 'StepTimeoutError';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms (set timeoutMs / --timeout to allow longer)`);
  }
}

/** The run was cancelled through its AbortSignal (or Ctrl-C). */
export class RunCancelledError extends BraidError {
  override name = 'RunCancelledError';
}

/** The next call could push the run past `maxCostUsd`, so no new call was started. */
export class CostLimitError extends BraidError {
  override name = 'CostLimitError';
  readonly spentUsd: number;
  readonly limitUsd: number;
  readonly completedSteps: number;
  constructor(spentUsd: number, limitUsd: number, completedSteps: number) {
    super(
      `cost cap reached: $${spentUsd.toFixed(4)} spent of $${limitUsd.toFixed(4)} after ${completedSteps} completed steps; ` +
        'raise maxCostUsd / --max-cost to continue',
    );
    this.spentUsd = spentUsd;
    this.limitUsd = limitUsd;
    this.completedSteps = completedSteps;
  }
}

/** A resume with `strictResume` met a journaled step whose inputs (model, prompt, schema, settings) changed since. */
export class ChangedStepError extends BraidError {
  override name = 'ChangedStepError';
  readonly key: string;
  constructor(key: string) {
    super(`step ${key} changed since it was journaled (model, prompt, schema or settings); run without strict resume to run it again`);
    this.key = key;
  }
}

/**
 * A resume met a journaled effect whose input changed since it ran. An effect acted on the world
 * (wrote a row, sent a mail): braid will neither replay another input's result nor act again
 * silently.
 */
export class ChangedEffectError extends BraidError {
  override name = 'ChangedEffectError';
  readonly key: string;
  constructor(key: string, reason: string) {
    super(`effect ${key} already ran in this run with ${reason}; it is not run again: start a new run (another --run-id) to act anew`);
    this.key = key;
  }
}

/** A run id was reused, or a run resumed, with another workflow or other inputs. */
export class RunIdentityError extends InputError {
  override name = 'RunIdentityError';
  readonly runId: string;
  readonly differences: readonly string[];
  constructor(runId: string, differences: readonly string[]) {
    super(`run ${runId} was started with ${differences.join(', ')}; a run id names one run, not a cache: use another --run-id (or --cache to reuse answers)`);
    this.runId = runId;
    this.differences = differences;
  }
}

/** Another process is running this run right now (its lease in the store is alive). */
export class RunBusyError extends InputError {
  override name = 'RunBusyError';
  readonly runId: string;
  constructor(runId: string, holder: string) {
    super(`run ${runId} is running right now in ${holder}; wait for it to end (or stop it) before resuming it`);
    this.runId = runId;
  }
}

/**
 * The run stopped at one or more waits (`run.waitFor`, `run.sleep`): everything before them is
 * journaled, and a resume goes on from there once they are answered or due. Not a failure: a
 * durable run ends its session with status `waiting` (the CLI exits 0 and says how to answer).
 * Thrown through the workflow so that it unwinds; `parallel` lets the items that do not wait
 * finish first, then throws one `RunWaitingError` with every item's waits.
 */
export class RunWaitingError extends BraidError {
  override name = 'RunWaitingError';
  readonly waits: readonly PendingWait[];
  constructor(waits: readonly PendingWait[]) {
    super(waits.length === 0 ? 'the run waits' : waits.map((wait) => describeWait(wait, { isKeyNeeded: waits.filter((other) => other.name === wait.name).length > 1 })).join('\n'));
    this.waits = waits;
  }

  /** One error for every wait of `errors`, in order: what a pattern with several branches throws. */
  static merge(errors: readonly RunWaitingError[]): RunWaitingError {
    return new RunWaitingError(errors.flatMap((error) => error.waits));
  }
}

/** A `waitFor` reached its `timeoutMs` without an answer and declares no `default`. */
export class WaitTimeoutError extends BraidError {
  override name = 'WaitTimeoutError';
  readonly key: string;
  readonly waitName: string;
  constructor(key: string, waitName: string, deadline: string) {
    super(`no answer to "${waitName}" (${key}) by its deadline ${deadline}; give waitFor a default to go on without one`);
    this.key = key;
    this.waitName = waitName;
  }
}

/** A signal's value does not fit the schema of the wait it targets: refused, and nothing changed. */
export class InvalidSignalError extends InputError {
  override name = 'InvalidSignalError';
  readonly runId: string;
  readonly key: string;
  constructor(runId: string, key: string, problems: string, options: { cause: unknown }) {
    super(`the answer does not fit what run ${runId} waits for at ${key}; nothing was changed:\n${problems}`, options);
    this.runId = runId;
    this.key = key;
  }
}

/**
 * A per-day (or billing) quota of the provider is spent: retrying within minutes cannot help. The
 * run starts no new call, lets the calls in flight finish, and ends with this error; `braid resume`
 * continues it once the quota is back.
 */
export class QuotaExhaustedError extends BraidError {
  override name = 'QuotaExhaustedError';
  /** The provider's name for the quota, e.g. `GenerateRequestsPerDayPerProjectPerModel-FreeTier`. */
  readonly quota: string;
  /** `provider:model`. */
  readonly modelKey: string;
  /** What the quota allows per day, when the provider said. */
  readonly limit: number | undefined;
  /** When the quota is back, when known. */
  readonly resetsAt: Date | undefined;
  constructor(
    { quota, modelKey, limit, unit = 'requests', resetsAt, now = Date.now() }: { quota: string; modelKey: string; limit?: number; unit?: 'requests' | 'tokens'; resetsAt?: Date; now?: number },
    options: { cause?: unknown } = {},
  ) {
    const allowance = limit === undefined ? '' : `, ${limit.toLocaleString('en-US')} ${unit} per day`;
    const reset = resetsAt === undefined ? 'its reset time was not given' : `it resets at ${resetsAt.toISOString()} (in ${describeDuration(resetsAt.getTime() - now)})`;
    super(`the quota of ${modelKey} is exhausted: ${quota}${allowance}; ${reset}. Finished steps are kept: resume the run then`, options);
    this.quota = quota;
    this.modelKey = modelKey;
    this.limit = limit;
    this.resetsAt = resetsAt;
  }
}

function describeDuration(milliseconds: number): string {
  const minutes = Math.max(0, Math.ceil(milliseconds / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}


function describeCause(cause: unknown): string {
  // the SDK reports a cut-off answer as unparseable: the real cause is the token limit
  if ((cause as { finishReason?: unknown } | null)?.finishReason === 'length') {
    return 'the answer was cut off at the token limit (raise maxOutputTokens, or ask for less)';
  }
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The error a cancelled run surfaces: the reason it was aborted with (a cost cap), or a RunCancelledError. */
export function cancellationError(signal: AbortSignal): BraidError {
  const reason: unknown = signal.reason;
  return reason instanceof BraidError ? reason : new RunCancelledError('the run was cancelled', { cause: reason });
}
