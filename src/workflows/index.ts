// braid's apps (`braid/apps`): the lesson's workflows, built on the engine in `braid`.

// FAQ: prompt chaining and parallelization
export { generateFaq, type FaqMode, type FaqOptions, type FaqResult } from './faq/generate-faq.js';
export { listDocumentFiles, readDocument, type SourceDocument } from './faq/load-documents.js';
export type { FaqEntry } from './faq/faq-schemas.js';
export {
  createFaqDocumentWorkflow,
  createFaqDocumentJobWorkflow,
  FaqDocumentJobInput,
  FaqDocumentInput,
  FaqDocumentOutput,
  type FaqDocumentWorkflowOptions,
} from './faq/faq-document-workflow.js';

// support router: routing
export { routeQuery, type RoutedQuery, type RouteQueryOptions } from './support/route-query.js';
export { classifyQuery, type ClassifiedQuery } from './support/classify-query.js';
export { loadRouterConfig, DEFAULT_INTENTS, type IntentDefinition, type RouterConfig } from './support/support-intents.js';
export { routeQueryWorkflow, RouteQueryInput, RouteQueryOutput } from './support/route-query-workflow.js';

// order orchestrator: orchestrator–workers
export {
  handleOrderQuery,
  type HandledOrderQuery,
  type HandleOrderQueryOptions,
  type OrderOutcome,
  type ResolvedCustomer,
  type ReplyCheck,
} from './orders/handle-order-query.js';
export type { CheckedReplyStream, ReplyEvent } from './orders/checked-reply-stream.js';
export { approveOver, ApprovalDecision, type ApprovalRule } from './orders/order-approval.js';
export { OrderApprovalPendingError } from './orders/order-approval-pending-error.js';
export type { PlannedWrite } from './orders/order-workers.js';
export { planOrderTasks } from './orders/plan-order-tasks.js';
export { openOrderStore, NotCustomersRecordError, type Customer, type OrderStore, type OrderStoreOptions } from './orders/order-store.js';
export { OrderTask, type OrderQueryType } from './orders/order-tasks.js';

// measuring them
export { evaluateRouting, parseLabelledQueries, type RoutingReport, type RoutingEvaluation } from './support/evaluate-routing.js';
export { evaluatePlanning, parseLabelledMessages, type PlanningReport, type PlanningEvaluation } from './orders/evaluate-planning.js';
export { evaluateFaq, type EvaluateFaqOptions, type FaqEvaluation, type FaqTrial } from './faq/evaluate-faq.js';
export { faqCodeScorers, type FaqCodeScorersOptions, type FaqEntryCase } from './faq/faq-scorers.js';
export { faqJudges, JudgeVerdict, type FaqJudgesOptions } from './faq/faq-judges.js';

// what `braid worker` serves
export { builtInWorkflows } from './built-in-workflows.js';
