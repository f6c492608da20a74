import type { AnyBatchWorkflow } from '../core/batch-workflow.js';
import { createFaqDocumentJobWorkflow, type FaqDocumentWorkflowOptions } from './faq/faq-document-workflow.js';
import { routeQueryWorkflow } from './support/route-query-workflow.js';

/**
 * The batch workflows braid's CLI distributes (`faq --per-document`, `route --batch`): what
 * `braid worker` serves.
 *
 * @example
 * startWorker({ connection, model, workflows: [...builtInWorkflows(), myWorkflow] });
 */
export function builtInWorkflows(options: FaqDocumentWorkflowOptions = {}): AnyBatchWorkflow[] {
  // the faq job variant: a worker runs on the text a job carries and never reads a path it names
  return [createFaqDocumentJobWorkflow(options), routeQueryWorkflow];
}
