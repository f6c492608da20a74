import { BraidError } from '../../core/errors.js';

/** A downloaded model file did not hash to its published SHA-256; braid deleted it. */
export class ModelIntegrityError extends BraidError {
  override name = 'ModelIntegrityError';
  /** The model URI that was downloaded. */
  readonly uri: string;
  readonly expectedSha256: string;
  readonly actualSha256: string;
  constructor(uri: string, filePath: string, expectedSha256: string, actualSha256: string) {
    super(
      `the download of ${uri} is corrupt or not the published file: its SHA-256 is ${actualSha256}, expected ${expectedSha256}; ` +
        `braid deleted ${filePath}: run again to download it anew, or set BRAID_LOCAL_MODEL=/path/to/model.gguf`,
    );
    this.uri = uri;
    this.expectedSha256 = expectedSha256;
    this.actualSha256 = actualSha256;
  }
}
