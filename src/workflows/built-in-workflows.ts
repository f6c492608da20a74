import type { AnyBatchWorkflow } from '../core/batch-workflow.js';
import { createFaqDocumentWorkflow, type FaqDocumentWorkflowOptions } from './faq/faq-document-workflow.js';
import { routeQueryWorkflow } from './support/route-query-workflow.js';

/**
 * The batch workflows braid's CLI distributes (`faq --per-document`, `route --batch`): what a
 * worker serves unless told otherwise.
 *
 * @example
 * startWorker({ connection, model, workflows: [...builtInWorkflows(), myWorkflow] });
 */
export function builtInWorkflows(options: FaqDocumentWorkflowOptions = {}): AnyBatchWorkflow[] {
  return [createFaqDocumentWorkflow(options), routeQueryWorkflow];
}
