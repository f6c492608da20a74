#!/usr/bin/env node
// The entry stays tiny: on an old Node the rest (node:sqlite, process.getBuiltinModule) would
// crash with a stack trace before a word of explanation, so the version is checked first.
import { EXIT } from './exit-codes.js';
import { keepHeapSmall } from './keep-heap-small.js';
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem();
if (problem === undefined) {
  keepHeapSmall();
  await (await import('./run-program.js')).runProgram();
} else {
  process.stderr.write(`${problem}\n`);
  process.exitCode = EXIT.usage;
}
