import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRuntime } from '../src/index.js';
import { generateFaq } from '../src/workflows/faq/generate-faq.js';
import { loadSampleDocuments, questionRules, runFaqWithAiSdk } from './faq-chain-workload.js';
import { median } from './median.js';
import { formatNumber, formatRatio, type BenchTable } from './print-table.js';
import type { TargetCheck } from './target-check.js';
import { withFakeProvider } from './with-fake-provider.js';

export interface NoLimitsBenchOptions {
  /** @default 20 */
  questions?: number;
  /** @default 300 */
  latencyMs?: number;
  /** Runs of each contender per load; the median is compared. @default 3 */
  trials?: number;
  onProgress?: (line: string) => void;
}

/**
 * Suite (issue 17): braid with its defaults against the naive code a user would otherwise write
 * (`Promise.all` over the AI SDK), with no limit anywhere, on an idle machine and with one
 * CPU-bound process running beside the bench: braid's own CPU per step is what the second load shows.
 * The contenders alternate, each on a fresh fake provider, and medians of `trials` runs are compared.
 *
 * @example
 * const { tables, targets } = await runNoLimitsBench({ onProgress: console.error });
 */
export async function runNoLimitsBench({ questions = 20, latencyMs = 300, trials = 3, onProgress = () => {} }: NoLimitsBenchOptions = {}): Promise<{
  tables: BenchTable[];
  targets: TargetCheck[];
}> {
  const documents = await loadSampleDocuments();
  const server = { latencyMs, seed: 42, rules: questionRules(questions) };
  const naiveRun = () =>
    withFakeProvider(server, async (_, model) => {
      const startedAt = performance.now();
      await runFaqWithAiSdk(model, documents, { questions, schedule: 'concurrent' });
      return performance.now() - startedAt;
    });
  const braidRun = () =>
    withFakeProvider(server, async (_, model) => {
      const braid = createRuntime({ model, name: 'faq' });
      const startedAt = performance.now();
      await braid.group('faq', (run) => generateFaq(run, documents, { questions }));
      const wallMs = performance.now() - startedAt;
      braid.finish();
      return wallMs;
    });

  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  for (const load of ['idle', 'a CPU-bound process beside'] as const) {
    const burner = load === 'idle' ? undefined : startCpuBurner();
    try {
      const naive: number[] = [];
      const braid: number[] = [];
      for (let trial = 0; trial < trials; trial += 1) {
        // alternate who goes first, so neither always meets a warmer machine
        if (trial % 2 === 0) naive.push(await naiveRun());
        braid.push(await braidRun());
        if (trial % 2 === 1) naive.push(await naiveRun());
        onProgress(`  ${load}, trial ${trial + 1}: naive ${Math.round(naive.at(-1)!)} ms, braid ${Math.round(braid.at(-1)!)} ms`);
      }
      const ratio = median(braid) / median(naive);
      rows.push([load, formatNumber(median(naive)), formatNumber(median(braid)), formatRatio(ratio), braid.map((ms) => formatNumber(ms)).join(' / '), naive.map((ms) => formatNumber(ms)).join(' / ')]);
      targets.push({ target: `no limits, ${load}: braid ÷ naive Promise.all ≤ 1.05 (median of ${trials})`, measured: formatRatio(ratio), isMet: ratio <= 1.05 });
    } finally {
      await stopCpuBurner(burner);
    }
  }
  return {
    tables: [
      {
        title: `No limits — FAQ chain, ${questions} questions, ${latencyMs} ms latency: braid (defaults) beside naive Promise.all over the AI SDK, median of ${trials}`,
        columns: ['machine', 'naive ms', 'braid ms', 'braid ÷ naive', 'braid runs', 'naive runs'],
        rows,
        notes: ['CPU-bound process: `node -e "for (;;) {}"`, started before the first trial and killed after the last.'],
      },
    ],
    targets,
  };
}

function startCpuBurner(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

async function stopCpuBurner(burner: ChildProcess | undefined): Promise<void> {
  if (burner === undefined || burner.exitCode !== null) return;
  const exited = once(burner, 'exit');
  burner.kill('SIGKILL');
  await exited;
}
