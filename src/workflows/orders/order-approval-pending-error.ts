import { RunWaitingError } from '../../core/errors.js';
import type { PendingWait } from '../../core/wait-journal.js';
import type { HandledOrderQuery } from './handle-order-query.js';

/**
 * The message's writes that need approval wait for it (`requiresApproval`): every other task has
 * run and is journaled, and `handled` holds the reply written meanwhile, which says what waits.
 * A `RunWaitingError`, so the run's session ends `waiting`; answering each wait (`signal(store,
 * runId, 'approval', { approved })`, `braid signal`) and resuming goes on from there.
 */
export class OrderApprovalPendingError extends RunWaitingError {
  override name = 'OrderApprovalPendingError';
  readonly handled: HandledOrderQuery;
  constructor(waits: readonly PendingWait[], handled: HandledOrderQuery) {
    super(waits);
    this.handled = handled;
  }
}
