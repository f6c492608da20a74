import { z } from 'zod';
import { BraidError } from './errors.js';

/** An item does not match its workflow's input schema: nothing of the batch was started. */
export class InvalidWorkflowInputError extends BraidError {
  override name = 'InvalidWorkflowInputError';
  readonly workflow: string;
  /** The item's position in the batch. */
  readonly index: number;
  constructor(workflow: string, index: number, options: { cause: unknown }) {
    super(`item ${index} is not a valid input of workflow ${workflow}: ${describeIssues(options.cause)}`, options);
    this.workflow = workflow;
    this.index = index;
  }
}

/** A workflow returned a value its output schema rejects: a bug in the workflow, not in the item. */
export class InvalidWorkflowOutputError extends BraidError {
  override name = 'InvalidWorkflowOutputError';
  readonly workflow: string;
  constructor(workflow: string, options: { cause: unknown }) {
    super(`workflow ${workflow} returned a value its output schema rejects: ${describeIssues(options.cause)}`, options);
    this.workflow = workflow;
  }
}

function describeIssues(cause: unknown): string {
  if (cause instanceof z.ZodError) return z.prettifyError(cause).replaceAll('\n', ' ');
  return cause instanceof Error ? cause.message : String(cause);
}
