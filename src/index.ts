// braid's public API, by name: the engine. The three apps are in `braid/apps`, the distributed
// runner in `braid/distributed`.

// the run and its patterns (methods of a Run)
export { createRuntime, type Runtime, type RuntimeOptions } from './core/runtime.js';
export type { Run, StepOptions, EffectOptions, EffectContext, GroupOptions, Link, WaitOptions, SleepOptions } from './core/run.js';
export type { StepValue } from './core/run-step.js';
export type { StepStream, StreamEvent, StreamPartial } from './core/step-stream.js';
export { succeeded, type ParallelOptions, type ParallelItemOptions, type Settled } from './core/parallel.js';
export type { RouteHandlers, RouteOptions, RouteResult, Routed } from './core/route.js';
export type { OrchestrateOptions, Orchestrated, TaskOutcome } from './core/orchestrate.js';
export type { EvaluateOptimizeOptions, Evaluation, Optimized } from './core/evaluate-optimize.js';

// batch workflows: one definition, run here or on workers
export {
  defineBatchWorkflow,
  type BatchWorkflow,
  type BatchWorkflowDefinition,
  type AnyBatchWorkflow,
  type BatchRunner,
  type BatchRunOptions,
  type BatchRunProgress,
} from './core/batch-workflow.js';
export { createLocalRunner, type LocalRunnerOptions } from './core/local-runner.js';

// measuring workflows: data, a task, scorers; a baseline diff and a CI gate
export { evaluate, type EvalCase, type EvaluateOptions } from './core/evaluate.js';
export type { Scorer, ScorerContext, ScoreAnswer, Score } from './core/score-trial.js';
export type { EvalResult, EvalCaseResult, EvalTrial, ScoreStats } from './core/summarize-eval.js';
export { compareEvals, type EvalDiff, type CaseDiff, type CaseChange, type ScoreDelta, type ComparableEval } from './core/compare-evals.js';
export { checkEvalGate, type EvalGate, type EvalGateOptions, type EvalGateFailure } from './core/check-eval-gate.js';
export { createEvalReport, type EvalReport, type CreateEvalReportOptions } from './core/eval-report.js';

// models
export { createModel, type CreateModelOptions, type LocalModelSource } from './providers/create-model.js';
export {
  createLocalEngine,
  type LocalEngine,
  type LocalEngineOptions,
  type LocalModelInfo,
  type LocalEngineStats,
  type LocalGpu,
} from './providers/local/local-engine.js';

// scheduling and cost
export { createRateLimiter, type RateLimiter, type RateLimits, type Lease, type LearningOptions } from './core/rate-limiter.js';
export { createLimiterRegistry, type LimiterRegistry, type LimiterRegistryOptions, type LimitsSetting } from './core/limiter-registry.js';
export type { LearnedBudget, LearnedLimits, LimitMemory, LimitSource } from './core/limit-memory.js';
export { openLimitsFile, type LimitsFile } from './store/limits-file.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './core/backoff.js';
export { DEFAULT_PRICES, costOf, findPrice, type Price, type PriceTable } from './core/prices.js';

// traces
export { summarizeRun, type RunSummary } from './core/run-summary.js';
export { findCriticalPath, type CriticalPath } from './core/critical-path.js';
export type { Span, SpanKind, SpanStatus } from './core/span.js';
export { readTraceFile } from './core/read-trace-file.js';

// durable runs
export { openRunStore, type RunStore, type RunStoreOptions } from './store/run-store.js';
export type { RunRow, RunStatus } from './store/runs-table.js';
export type { EvalRow, EvalsTable } from './store/evals-table.js';
export { startRun, resume, type StartRunOptions } from './store/start-run.js';
export type { StepJournal, JournalEntry, ResponseCache } from './core/step-store.js';

// waits and signals
export { signal, type SignalOptions, type SignalResult } from './store/signal.js';
export type { WaitTable } from './store/wait-table.js';
export type { WaitJournal, WaitKind, WaitRequest, WaitState, PendingWait, SignalOutcome, SignalRequest } from './core/wait-journal.js';

// the timeline viewer
export { startViewer, type Viewer, type ViewerOptions } from './viewer/start-viewer.js';

// errors: every one a BraidError, with a cause
export {
  BraidError,
  InputError,
  ModelSpecError,
  MissingSettingError,
  InvalidOutputError,
  ProviderCallError,
  StepTimeoutError,
  RunCancelledError,
  CostLimitError,
  QuotaExhaustedError,
  ChangedStepError,
  ChangedEffectError,
  RunIdentityError,
  RunBusyError,
  RunWaitingError,
  WaitTimeoutError,
  InvalidSignalError,
} from './core/errors.js';
export { InvalidWorkflowInputError, InvalidWorkflowOutputError } from './core/batch-workflow-errors.js';
export { LocalModelNotFoundError } from './providers/local/local-model-not-found-error.js';
export { LocalEngineNotInstalledError } from './providers/local/local-engine-not-installed-error.js';
export { ModelIntegrityError } from './providers/local/model-integrity-error.js';
export { TraceFileError } from './core/read-trace-file.js';
