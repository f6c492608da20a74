import { BraidError } from '../core/errors.js';

/**
 * The console will not do what a POST asked: the run is in the wrong state for it, is not there,
 * or the request itself is not to be trusted. `httpStatus` is what the console answers with.
 */
export class ActionRefusedError extends BraidError {
  override name = 'ActionRefusedError';
  readonly httpStatus: number;
  constructor(httpStatus: number, message: string, options?: { cause: unknown }) {
    super(message, options);
    this.httpStatus = httpStatus;
  }
}
