// What the run store's journal adds to each step: 2,000 writes of a ~1 KB JSON value to a file
// store (WAL, synchronous=NORMAL), then 2,000 reads that miss (a fresh run) and 2,000 that hit
// (a resume). Prints one line per figure, in microseconds per call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openRunStore } from '../src/store/run-store.js';

const CALLS = 2_000;

/** A step result of about 1 KB of JSON, like an FAQ answer with its sources. */
function sampleValue(index: number) {
  return {
    question: `How do I rotate the credentials of service account number ${index}?`,
    answer: 'Open the console, pick the account, choose "Rotate", confirm, and update every client that uses it. '.repeat(8),
    sources: ['docs/security.md#rotation', 'docs/accounts.md#service-accounts'],
    confidence: 0.87,
  };
}

function microsecondsPerCall(work: (index: number) => void): number {
  const start = performance.now();
  for (let index = 0; index < CALLS; index += 1) work(index);
  return ((performance.now() - start) * 1_000) / CALLS;
}

const directory = mkdtempSync(join(tmpdir(), 'braid-journal-bench-'));
const store = openRunStore(join(directory, 'runs.db'));
try {
  const valueBytes = JSON.stringify(sampleValue(0)).length;
  const keyOf = (index: number): string => `/faq#0/question[${index}]#0/answer#0`;
  // warm up the statements and the page cache on a run of its own
  for (let index = 0; index < 200; index += 1) store.journal.write('warm-up', keyOf(index), { value: sampleValue(index), inputHash: 'bench' });

  const write = microsecondsPerCall((index) => store.journal.write('bench', keyOf(index), { value: sampleValue(index), inputHash: 'bench' }));
  const readMiss = microsecondsPerCall((index) => store.journal.read('fresh-run', keyOf(index)));
  const readHit = microsecondsPerCall((index) => store.journal.read('bench', keyOf(index)));

  const format = (value: number): string => value.toFixed(1);
  console.log(`journal.write, file store, ${valueBytes} B value: ${format(write)} µs/call (${CALLS} calls)`);
  console.log(`journal.read miss, file store: ${format(readMiss)} µs/call (${CALLS} calls)`);
  console.log(`journal.read hit, file store, ${valueBytes} B value: ${format(readHit)} µs/call (${CALLS} calls)`);
} finally {
  store.close();
  rmSync(directory, { recursive: true, force: true });
}
