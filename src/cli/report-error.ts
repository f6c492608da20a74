import { CommanderError } from 'commander';
import { CostLimitError, MissingSettingError, ModelSpecError, RunCancelledError } from '../core/errors.js';
import { LocalEngineNotInstalledError } from '../providers/local/local-engine-not-installed-error.js';
import { LocalModelNotFoundError } from '../providers/local/local-model-not-found-error.js';
import { TraceFileError } from '../core/read-trace-file.js';
import { InputError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';
import { toTerminalText } from './terminal-text.js';
import { redactSecrets } from '../core/redact-secrets.js';

/** Prints an error as one clear line (with the stack only under `--verbose`) and returns the exit code. */
export function reportError(error: unknown, { verbose = false, stream = process.stderr } = {}): number {
  // an error can quote a provider's reply, which may echo the key or hold escape sequences
  const write = (text: string): void => {
    stream.write(toTerminalText(redactSecrets(text)));
  };
  const message = error instanceof Error ? error.message : String(error);
  write(`braid: ${message}\n`);
  if (verbose && error instanceof Error) {
    write(`${error.stack ?? ''}\n`);
    for (let cause = error.cause; cause; cause = cause instanceof Error ? cause.cause : undefined) {
      write(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`);
    }
  }
  return exitCodeOf(error);
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return EXIT.usage;
  if (
    error instanceof InputError ||
    error instanceof ModelSpecError ||
    error instanceof MissingSettingError ||
    error instanceof LocalModelNotFoundError ||
    error instanceof LocalEngineNotInstalledError ||
    error instanceof TraceFileError
  ) {
    return EXIT.usage;
  }
  if (error instanceof RunCancelledError && !(error instanceof CostLimitError)) return EXIT.cancelled;
  return EXIT.failed;
}
