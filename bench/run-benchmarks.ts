/**
 * `npm run bench`: every suite in sequence, each on fresh servers and engines, then one table per
 * measurement and a table of the targets. Benchmarks print ratios measured side by side in this
 * one run; they never fail on a timing. Progress goes to stderr, the tables to stdout.
 * `npm run bench -- limits` (or any suite names: engine, no-limits, limits, streaming, journal, big-batch, local, distributed) runs only those.
 *
 * Environment: `BRAID_LOCAL_MODEL` (a GGUF path) enables the local-model suite.
 */
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runEngineBench } from './engine-bench.js';
import { runLimitBench } from './limit-learning-bench.js';
import { runLocalPrefixBench } from './local-prefix-bench.js';
import { runNoLimitsBench } from './no-limits-bench.js';
import { printTable, type BenchTable } from './print-table.js';
import { runChildSuite } from './run-child-suite.js';
import { runStreamingBench } from './streaming-bench.js';
import { targetsTable, type TargetCheck } from './target-check.js';

async function main(): Promise<void> {
  const startedAt = performance.now();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const targets: TargetCheck[] = [];
  const chosen = process.argv.slice(2);
  const isChosen = (suite: string) => chosen.length === 0 || chosen.includes(suite);
  process.stdout.write(`# braid benchmarks — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n\n`);

  if (isChosen('engine')) {
    progress('suite: engine (fake provider)');
    const engine = await runEngineBench({ onProgress: progress });
    targets.push(...engine.targets);
    engine.tables.forEach(printTable);
  }

  if (isChosen('no-limits')) {
    progress('suite: no limits, idle and beside a CPU-bound process (fake provider)');
    const noLimits = await runNoLimitsBench({ onProgress: progress });
    targets.push(...noLimits.targets);
    noLimits.tables.forEach(printTable);
  }

  if (isChosen('limits')) {
    progress('suite: limits not configured (fake provider)');
    const limits = await runLimitBench({ onProgress: progress });
    targets.push(...limits.targets);
    limits.tables.forEach(printTable);
  }

  if (isChosen('streaming')) {
    progress('suite: streaming (fake provider with per-token latency; braid route on a pseudo-terminal)');
    const streaming = await runStreamingBench({ onProgress: progress });
    targets.push(...streaming.targets);
    streaming.tables.forEach(printTable);
  }

  if (isChosen('journal')) await runChildTable(progress, { file: 'journal-overhead.ts', title: 'Journal overhead', timeoutMs: 180_000 });
  if (isChosen('big-batch')) {
    const title = 'Big batch — braid route --batch of 100,000 lines on a fast fake provider: wall, peak memory, Ctrl-C';
    await runChildTable(progress, { file: 'big-batch-bench.ts', title, timeoutMs: 1_200_000 });
  }
  if (isChosen('local')) await runLocalSuite(progress, targets);
  if (isChosen('distributed')) {
    const title = 'Distributed — 200 FAQ jobs on 1, 2, 4 worker processes (needs redis-server)';
    await runChildTable(progress, { file: 'distributed-bench.ts', title, timeoutMs: 600_000 });
  }

  printTable(targetsTable(targets));
  process.stdout.write(`total bench time: ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);
}

/** A suite that runs as a child process of its own (see runChildSuite): its lines, as one table. */
async function runChildTable(progress: (line: string) => void, { file, title, timeoutMs }: { file: string; title: string; timeoutMs: number }): Promise<void> {
  progress(`suite: ${title}`);
  const result = await runChildSuite(fileURLToPath(new URL(file, import.meta.url)), { timeoutMs });
  printTable({
    title: `${title} (bench/${file}, run as a child process)`,
    columns: ['output'],
    rows:
      result.status === 'missing'
        ? [[`skipped: bench/${file} is missing`]]
        : [...result.lines.map((line) => [line]), ...(result.status === 'failed' ? [[`FAILED: ${result.reason}`]] : [])],
  });
}

async function runLocalSuite(progress: (line: string) => void, targets: TargetCheck[]): Promise<void> {
  const modelPath = process.env.BRAID_LOCAL_MODEL;
  progress('suite: local model prefix reuse');
  if (modelPath === undefined || modelPath === '') {
    const skipped: BenchTable = { title: 'Local model — prefix reuse', columns: ['output'], rows: [['skipped: set BRAID_LOCAL_MODEL to a GGUF file to run it']] };
    printTable(skipped);
  } else {
    const local = await runLocalPrefixBench({ modelPath, onProgress: progress });
    targets.push(...local.targets);
    local.tables.forEach(printTable);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
