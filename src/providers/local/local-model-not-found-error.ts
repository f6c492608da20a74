import { BraidError } from '../../core/errors.js';

/** No GGUF model file could be found or downloaded for the local provider. */
export class LocalModelNotFoundError extends BraidError {
  override name = 'LocalModelNotFoundError';
  /** The path or URI that was asked for, when one was. */
  readonly requested: string | undefined;
  /** Where braid looks for (and downloads) its default model. */
  readonly cacheDirectory: string;
  constructor(message: string, requested: string | undefined, cacheDirectory: string, options: { cause: unknown }) {
    super(message, options);
    this.requested = requested;
    this.cacheDirectory = cacheDirectory;
  }
}
