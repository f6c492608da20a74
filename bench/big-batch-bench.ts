/**
 * `braid route --batch` on a very large input against a fast fake provider: wall time, peak memory
 * of the braid process, and how long Ctrl-C takes to end it. Run as a child suite of `npm run bench`,
 * or alone: `npx tsx bench/big-batch-bench.ts` (`BENCH_BATCH_LINES` sets the size, default 100000).
 * A benchmark, not a test: it prints figures and never fails on a timing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeProvider } from '../test/fake-provider/index.js';

const LINES = Number(process.env.BENCH_BATCH_LINES ?? 100_000);
const MEMORY_TARGET_MB = 500;
const CTRL_C_TARGET_MS = 2_000;
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

const directory = mkdtempSync(join(tmpdir(), 'braid-big-batch-'));
const server = await startFakeProvider({ seed: 3 });
try {
  const batch = join(directory, 'queries.txt');
  writeFileSync(batch, Array.from({ length: LINES }, (_, index) => `ticket ${index}: my invoice shows a charge I do not recognise`).join('\n'));

  const full = await runBatch(batch, join(directory, 'full.db'), undefined);
  process.stdout.write(`${LINES} lines, fast fake (0 ms): ${full.lines} lines out in ${(full.wallMs / 1000).toFixed(1)} s ` +
    `(${Math.round(full.lines / (full.wallMs / 1000))} lines/s), peak RSS ${full.peakMb} MB (target < ${MEMORY_TARGET_MB} MB), exit ${full.code}\n`);

  // Ctrl-C a fifth of the way in: the time from the signal to the process's end
  const interrupted = await runBatch(batch, join(directory, 'interrupted.db'), Math.floor(LINES / 5));
  process.stdout.write(`Ctrl-C after ${interrupted.interruptedAt} of ${LINES} lines: exited ${interrupted.code} in ${interrupted.exitMs} ms ` +
    `(target < ${CTRL_C_TARGET_MS} ms), ${interrupted.lines} lines printed\n`);
} finally {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
}

async function runBatch(batch: string, store: string, interruptAfterLines: number | undefined) {
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'route', '--batch', batch, '--json', '--store', store, '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL], {
    env: { ...process.env, OPENAI_API_KEY: 'sk-bench', BRAID_HOME: directory },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let lines = 0;
  let interruptedAt: number | undefined;
  let signalledAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
    if (interruptAfterLines !== undefined && interruptedAt === undefined && lines >= interruptAfterLines) {
      interruptedAt = lines;
      signalledAt = performance.now();
      child.kill('SIGINT');
    }
  });
  // the kernel's high-water mark of the process's resident memory, read while it runs
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // the process has ended
    }
  }, 100);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(sampler);
  const endedAt = performance.now();
  return {
    code,
    lines,
    wallMs: endedAt - startedAt,
    peakMb: Math.round(peakKb / 1024),
    interruptedAt,
    exitMs: Math.round(endedAt - signalledAt),
  };
}
