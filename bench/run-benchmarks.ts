/**
 * `npm run bench`: every suite in sequence, each on fresh servers and engines, then one table per
 * measurement and a table of the targets. Benchmarks print ratios measured side by side in this
 * one run; they never fail on a timing. Progress goes to stderr, the tables to stdout.
 *
 * Environment: `BRAID_LOCAL_MODEL` (a GGUF path) enables the local-model suite.
 */
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runEngineBench } from './engine-bench.js';
import { runLocalPrefixBench } from './local-prefix-bench.js';
import { printTable, type BenchTable } from './print-table.js';
import { runChildSuite } from './run-child-suite.js';
import { runStreamingBench } from './streaming-bench.js';
import { targetsTable, type TargetCheck } from './target-check.js';

async function main(): Promise<void> {
  const startedAt = performance.now();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const targets: TargetCheck[] = [];
  process.stdout.write(`# braid benchmarks — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n\n`);

  progress('suite 1/5: engine (fake provider)');
  const engine = await runEngineBench({ onProgress: progress });
  targets.push(...engine.targets);
  engine.tables.forEach(printTable);

  progress('suite 2/5: streaming (fake provider with per-token latency; braid route on a pseudo-terminal)');
  const streaming = await runStreamingBench({ onProgress: progress });
  targets.push(...streaming.targets);
  streaming.tables.forEach(printTable);

  progress('suite 3/5: journal overhead');
  const journalFile = fileURLToPath(new URL('journal-overhead.ts', import.meta.url));
  const journal = await runChildSuite(journalFile, { timeoutMs: 180_000 });
  const journalTable: BenchTable = {
    title: 'Journal overhead (bench/journal-overhead.ts, run as a child process)',
    columns: ['output'],
    rows:
      journal.status === 'missing'
        ? [['skipped: bench/journal-overhead.ts does not exist yet']]
        : [...journal.lines.map((line) => [line]), ...(journal.status === 'failed' ? [[`FAILED: ${journal.reason}`]] : [])],
  };
  printTable(journalTable);

  const modelPath = process.env.BRAID_LOCAL_MODEL;
  progress('suite 4/5: local model prefix reuse');
  if (modelPath === undefined || modelPath === '') {
    const skipped: BenchTable = { title: 'Local model — prefix reuse', columns: ['output'], rows: [['skipped: set BRAID_LOCAL_MODEL to a GGUF file to run it']] };
    printTable(skipped);
  } else {
    const local = await runLocalPrefixBench({ modelPath, onProgress: progress });
    targets.push(...local.targets);
    local.tables.forEach(printTable);
  }

  progress('suite 5/5: distributed workers on Redis');
  const distributedFile = fileURLToPath(new URL('distributed-bench.ts', import.meta.url));
  const distributed = await runChildSuite(distributedFile, { timeoutMs: 600_000 });
  printTable({
    title: 'Distributed — 200 FAQ jobs on 1, 2, 4 worker processes (bench/distributed-bench.ts, needs redis-server)',
    columns: ['output'],
    rows:
      distributed.status === 'missing'
        ? [['skipped: bench/distributed-bench.ts is missing']]
        : [...distributed.lines.map((line) => [line]), ...(distributed.status === 'failed' ? [[`FAILED: ${distributed.reason}`]] : [])],
  });

  printTable(targetsTable(targets));
  process.stdout.write(`total bench time: ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
