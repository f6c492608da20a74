import { CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';
import { createProgram } from './program.js';
import { reportError } from './report-error.js';

/**
 * Runs `braid` on this process's argv and sets its exit code. Every error ends as one line (with
 * the stack only under `--verbose`): commands report their own, and this catches what escapes
 * them, such as a file that is not a run store.
 */
export async function runProgram(argv: readonly string[] = process.argv): Promise<void> {
  // `braid runs | head` closes the pipe early: that is the reader's choice, not an error
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  try {
    await createProgram().parseAsync([...argv]);
  } catch (error) {
    // commander already printed its own message, or the help
    if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    else process.exitCode = reportError(error, { verbose: argv.includes('--verbose') });
  }
}
