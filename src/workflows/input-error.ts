import { BraidError } from '../core/errors.js';

/** The user's input cannot be used: a missing file, an empty document, a bad config. Exit code 2. */
export class InputError extends BraidError {
  override name = 'InputError';
}
