// braid's public API, by name.
export { createRuntime, type Runtime, type RuntimeOptions, type StepOptions } from './core/runtime.js';
export type { StepValue } from './core/run-step.js';
export { parallel, succeeded, type ParallelOptions, type Settled } from './core/parallel.js';
export { chain, type Link } from './core/chain.js';
export { route, type RouteOptions, type Routed } from './core/route.js';
export { orchestrate, type OrchestrateOptions, type Orchestrated, type TaskOutcome } from './core/orchestrate.js';
export { evaluateOptimize, type EvaluateOptimizeOptions, type Evaluation, type Optimized } from './core/evaluate-optimize.js';
export { group } from './core/scope.js';
export {
  defineBatchWorkflow,
  type BatchWorkflow,
  type BatchWorkflowDefinition,
  type AnyBatchWorkflow,
  type BatchRunner,
  type BatchRunOptions,
  type BatchRunProgress,
} from './core/batch-workflow.js';
export { InvalidWorkflowInputError, InvalidWorkflowOutputError } from './core/batch-workflow-errors.js';
export { createLocalRunner, type LocalRunnerOptions } from './core/local-runner.js';
export { builtInWorkflows } from './workflows/built-in-workflows.js';
export {
  createFaqDocumentWorkflow,
  FaqDocumentInput,
  FaqDocumentOutput,
  type FaqDocumentWorkflowOptions,
} from './workflows/faq/faq-document-workflow.js';
export { routeQueryWorkflow, RouteQueryInput, RouteQueryOutput, RouterConfigPayload } from './workflows/support/route-query-workflow.js';
export { createRateLimiter, type RateLimiter, type RateLimits, type Lease } from './core/rate-limiter.js';
export { createLimiterRegistry, type LimiterRegistry, type LimitsSetting } from './core/limiter-registry.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './core/backoff.js';
export { DEFAULT_PRICES, costOf, findPrice, type Price, type PriceTable } from './core/prices.js';
export { summarizeRun, type RunSummary } from './core/run-summary.js';
export { findCriticalPath } from './core/critical-path.js';
export type { Span, SpanKind, SpanStatus } from './core/span.js';
export type { StepJournal, ResponseCache } from './core/step-store.js';
export {
  BraidError,
  CostLimitError,
  InvalidOutputError,
  MissingSettingError,
  ModelSpecError,
  ProviderCallError,
  RunCancelledError,
  StepTimeoutError,
} from './core/errors.js';
export { createModel, API_KEY_VARIABLES, type CreateModelOptions, type LocalModelSource } from './providers/create-model.js';
export { parseModelSpec, defaultModelSpec, DEFAULT_CLOUD_SPECS, type ModelSpec, type ProviderName } from './providers/model-spec.js';
export {
  createLocalEngine,
  type LocalEngine,
  type LocalEngineOptions,
  type LocalModelInfo,
  type LocalEngineStats,
} from './providers/local/local-engine.js';
export { resolveLocalModelFile, localModelCacheDirectory, DEFAULT_LOCAL_MODEL_URI } from './providers/local/resolve-local-model-file.js';
export { LocalModelNotFoundError } from './providers/local/local-model-not-found-error.js';
export { openRunStore, type RunStore, type RunStoreOptions } from './store/run-store.js';
export type { RunRow, RunStatus } from './store/runs-table.js';
export { defaultStorePath } from './store/default-store-path.js';
export { resume } from './store/resume.js';
export { readTraceFile, TraceFileError } from './core/read-trace-file.js';
export { startViewer, type Viewer, type ViewerOptions } from './viewer/start-viewer.js';
