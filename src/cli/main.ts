#!/usr/bin/env node
import './quiet-experimental-warnings.js';
import { CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';

// `braid runs | head` closes the pipe early: that is the reader's choice, not an error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

// loaded only now, so the warning filter is in place before anything loads node:sqlite
const { createProgram } = await import('./program.js');
try {
  await createProgram().parseAsync();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // commander already printed the message, or the help
  process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
