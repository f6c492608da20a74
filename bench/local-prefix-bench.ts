import type { LanguageModelV4 } from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import { createLocalEngine, createRuntime, type LocalEngineOptions, type LocalModelInfo, type RunSummary } from '../src/index.js';
import { generateFaq, type FaqMode } from '../src/workflows/faq/generate-faq.js';
import { AnswerSchema } from '../src/workflows/faq/faq-schemas.js';
import type { SourceDocument } from '../src/workflows/faq/load-documents.js';
import { loadSampleDocuments } from './faq-chain-workload.js';
import { formatNumber, formatRatio, type BenchTable } from './print-table.js';
import type { TargetCheck } from './target-check.js';

export interface LocalPrefixBenchOptions {
  /** The GGUF file to run (the bench never downloads one). */
  modelPath: string;
  /** FAQ entries asked for. @default 4 */
  questions?: number;
  /**
   * Sampling temperature of every step in both arms. At 0 (greedy) the random-weight test model
   * writes the same two questions whatever it is asked, so `generateFaq` could never collect 4
   * distinct ones. @default 0.8
   */
  temperature?: number;
  /** Bounds every step's output; undefined leaves the engine's default bound (1024). @default undefined */
  maxOutputTokens?: number;
  /** No arm runs longer than this. @default 180_000 */
  deadlineMs?: number;
  onProgress?: (line: string) => void;
}

export interface LocalPrefixBenchReport {
  tables: BenchTable[];
  targets: TargetCheck[];
}

/** One way of running the FAQ on the embedded model. */
interface Arm {
  label: string;
  engine: Pick<LocalEngineOptions, 'sequences'>;
  concurrency?: number;
  mode: FaqMode;
  /** Puts a per-call line before the shared documents, so no call can reuse an earlier call's prefix. */
  isPrefixBroken: boolean;
}

interface ArmRun {
  arm: Arm;
  info: LocalModelInfo;
  wallMs: number;
  summary: RunSummary;
  /** Prompt tokens node-llama-cpp's meters say were decoded, over the arm. */
  meteredInputTokens: number;
  peakBusySequences: number;
  entries: number;
  validAnswers: number;
  isSourcesValid: boolean;
  failures: string[];
  error?: string;
}

const ARMS: readonly Arm[] = [
  { label: '(a) sequential, no prefix reuse', engine: { sequences: 1 }, concurrency: 1, mode: 'chain', isPrefixBroken: true },
  { label: '(b) braid defaults', engine: {}, mode: 'parallel', isPrefixBroken: false },
];

/**
 * Suite 3 (issue 8): the FAQ over the bundled samples on the embedded model, once with every call
 * decoding its whole prompt, once with braid's defaults (concurrent steps, a sequence pool that
 * hands each call the sequence already holding its prefix).
 *
 * The no-reuse arm keeps braid's prompts but opens each call's system part with its own line
 * (`Request 7.`): the documents then sit behind a token that differs on every call, so the one
 * sequence can reuse only the chat template's first few tokens, as if it were cleared. Prompt
 * sizes stay within a few tokens of arm (b)'s, so the evaluated-token counts compare like for like.
 *
 * @example
 * const { tables } = await runLocalPrefixBench({ modelPath: '/models/tiny.gguf' });
 */
export async function runLocalPrefixBench({
  modelPath,
  questions = 4,
  temperature = 0.8,
  maxOutputTokens,
  deadlineMs = 180_000,
  onProgress = () => {},
}: LocalPrefixBenchOptions): Promise<LocalPrefixBenchReport> {
  const documents = await loadSampleDocuments();
  const runs: ArmRun[] = [];
  for (const arm of ARMS) {
    const run = await runArm(arm, { modelPath, documents, questions, temperature, maxOutputTokens, deadlineMs });
    onProgress(`  ${arm.label}: ${Math.round(run.wallMs)} ms, ${run.summary.calls} calls, ${run.entries}/${questions} entries${run.error ? `, stopped: ${run.error}` : ''}`);
    runs.push(run);
  }
  const [plain, braid] = runs as [ArmRun, ArmRun];
  const evaluated = (run: ArmRun) => run.summary.inputTokens - run.summary.cachedInputTokens;
  const perCall = (run: ArmRun) => evaluated(run) / Math.max(1, run.summary.calls);
  const outputPerSecond = (run: ArmRun) => run.summary.outputTokens / (run.wallMs / 1000);
  const row = (run: ArmRun) => [
    run.arm.label,
    formatNumber(run.wallMs),
    String(run.summary.calls),
    String(run.summary.inputTokens),
    String(run.summary.cachedInputTokens),
    String(evaluated(run)),
    String(run.meteredInputTokens),
    formatNumber(perCall(run)),
    String(run.summary.outputTokens),
    formatNumber(outputPerSecond(run), 1),
    `${run.entries}/${questions}`,
    `${run.validAnswers}/${run.entries}`,
    run.isSourcesValid ? 'yes' : 'NO',
  ];
  const reduction = evaluated(plain) / evaluated(braid);
  const table: BenchTable = {
    title: `Local model — prefix reuse: FAQ with ${questions} questions over the samples, ${modelPath.split('/').at(-1)}`,
    columns: ['arm', 'wall ms', 'calls', 'prompt tok', 'reused', 'evaluated', 'meter in', 'eval./call', 'out tok', 'out tok/s', 'entries', 'answers valid', 'sources ⊆ titles'],
    rows: [
      ...runs.map(row),
      [
        'ratio (a) ÷ (b)',
        formatRatio(plain.wallMs / braid.wallMs),
        '',
        formatRatio(plain.summary.inputTokens / braid.summary.inputTokens),
        '',
        formatRatio(reduction),
        formatRatio(plain.meteredInputTokens / braid.meteredInputTokens),
        formatRatio(perCall(plain) / perCall(braid)),
        '',
        formatRatio(outputPerSecond(plain) / outputPerSecond(braid)),
        '',
        '',
        '',
      ],
    ],
    notes: [
      `evaluated = prompt tokens − reused, from the steps' usage (cachedInputTokens); meter in = node-llama-cpp's token meters (prompt tokens decoded without logits, so about one fewer per call).`,
      `(a): engine sequences 1, runtime concurrency 1, mode chain, and a per-call first line ('Request n.') ahead of the documents; (b): engine and runtime defaults, mode parallel.`,
      `both arms: temperature ${temperature} (greedy decoding makes the random model repeat its questions), ${maxOutputTokens === undefined ? "output bounded only by the engine's default 1024 tokens and the schemas' maxLength" : `maxOutputTokens ${maxOutputTokens}`}; model load is outside the wall time.`,
      ...runs.map((run) => `${run.arm.label}: ${run.info.sequences} sequence(s), ${run.info.threads} thread(s), context ${run.info.contextSize}, load ${run.info.loadMilliseconds} ms, peak busy sequences ${run.peakBusySequences}, retries ${run.summary.retries}`),
      ...runs.flatMap((run) => [...(run.error ? [`${run.arm.label} stopped: ${run.error}`] : []), ...run.failures.map((failure) => `${run.arm.label} item failed: ${failure}`)]),
      'the model has random weights: its text is gibberish and its speed per token says nothing about a real model.',
    ],
  };
  const isComplete = runs.every((run) => run.error === undefined && run.entries === questions);
  const targets: TargetCheck[] = [
    {
      target: 'local: prompt tokens evaluated reduced ≥ 3×',
      measured: `${formatRatio(reduction)} in all (${formatRatio(perCall(plain) / perCall(braid))} per call), wall ${formatRatio(plain.wallMs / braid.wallMs)} faster`,
      isMet: isComplete ? reduction >= 3 : undefined,
    },
    {
      target: 'local: every answer valid, sources ⊆ titles',
      measured: runs.map((run) => `${run.arm.label.slice(0, 3)} ${run.validAnswers}/${questions}${run.isSourcesValid ? '' : ' (bad sources)'}`).join(', '),
      isMet: runs.every((run) => run.validAnswers === questions && run.isSourcesValid),
    },
  ];
  return { tables: [table], targets };
}

interface ArmOptions {
  modelPath: string;
  documents: readonly SourceDocument[];
  questions: number;
  temperature: number;
  maxOutputTokens: number | undefined;
  deadlineMs: number;
}

async function runArm(arm: Arm, { modelPath, documents, questions, temperature, maxOutputTokens, deadlineMs }: ArmOptions): Promise<ArmRun> {
  // the env names the file and forbids downloads: the bench runs offline, on the model it was given
  const engine = createLocalEngine({ env: { BRAID_LOCAL_MODEL: modelPath, BRAID_OFFLINE: '1' }, allowDownload: false, ...arm.engine });
  try {
    const info = await engine.load(); // loading is not what the arms compare
    const meterBefore = engine.stats().evaluatedInputTokens;
    let requestNumber = 0;
    // the arm's settings reach every call through the model, whatever scope makes the call
    const model = wrapLanguageModel({
      model: engine.languageModel() as LanguageModelV4,
      middleware: {
        transformParams: async ({ params }) => ({
          ...params,
          temperature,
          ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
          prompt: arm.isPrefixBroken
            ? params.prompt.map((message) => (message.role === 'system' ? { ...message, content: `Request ${(requestNumber += 1)}.\n${message.content}` } : message))
            : params.prompt,
        }),
      },
    });
    const braid = createRuntime({
      model,
      ...(arm.concurrency === undefined ? {} : { limits: { concurrency: arm.concurrency } }),
      signal: AbortSignal.timeout(deadlineMs),
      name: 'faq',
    });
    const titles = new Set(documents.map((document) => document.title));
    const startedAt = performance.now();
    let entries = 0;
    let validAnswers = 0;
    let isSourcesValid = true;
    let failures: string[] = [];
    let error: string | undefined;
    try {
      const result = await braid.group('faq', (run) => generateFaq(run, documents, { questions, mode: arm.mode }));
      entries = result.faqs.length;
      validAnswers = result.faqs.filter((entry) => AnswerSchema.safeParse({ answer: entry.answer }).success).length;
      isSourcesValid = result.faqs.every((entry) => entry.sources.length > 0 && entry.sources.every((source) => titles.has(source)));
      failures = result.failures.map((failure) => failure.error.slice(0, 160));
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}`.slice(0, 200) : String(caught);
    }
    const wallMs = performance.now() - startedAt;
    const summary = braid.finish(error ? 'error' : 'ok');
    const stats = engine.stats();
    return {
      arm,
      info,
      wallMs,
      summary,
      meteredInputTokens: stats.evaluatedInputTokens - meterBefore,
      peakBusySequences: stats.peakBusySequences,
      entries,
      validAnswers,
      isSourcesValid,
      failures,
      error,
    };
  } finally {
    await engine.dispose();
  }
}

/** The runtime with some options of every step overridden; everything else is the runtime itself. */
