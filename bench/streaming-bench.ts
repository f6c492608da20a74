import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Output, streamText } from 'ai';
import { z } from 'zod';
import { createRuntime } from '../src/index.js';
import { routeQuery } from '../src/workflows/support/route-query.js';
import { DEFAULT_FALLBACK, DEFAULT_INTENTS } from '../src/workflows/support/support-intents.js';
import type { FakeProvider, FakeRule } from '../test/fake-provider/index.js';
import { formatNumber, formatRatio, type BenchTable } from './print-table.js';
import type { TargetCheck } from './target-check.js';
import { withFakeProvider } from './with-fake-provider.js';
import { median } from './median.js';

export interface StreamingBenchOptions {
  /** The fake's latency per completion token. @default 10 */
  latencyPerTokenMs?: number;
  /** In-process routes per contender. @default 8 */
  routes?: number;
  /** `braid route` processes per contender (each starts Node and tsx: seconds). @default 3 */
  cliRuns?: number;
  /** Streamed steps measured per contender in the overhead scenario. @default 300 */
  overheadCalls?: number;
  /** @default 50 */
  overheadWarmupCalls?: number;
  onProgress?: (line: string) => void;
}

export interface StreamingBenchReport {
  tables: BenchTable[];
  targets: TargetCheck[];
}

const QUERY = 'My invoice shows a double charge for the March subscription';
/** The billing handler's answer: about 110 tokens, so with per-token latency it takes a while to write. */
const ANSWER = [
  'I am sorry about the double charge on your March subscription.',
  'I can see two payments for the same invoice, and I have asked for the second one to be refunded to the card you paid with.',
  'Refunds reach most cards within five working days; you will get an email as soon as it is on its way.',
  'If it has not arrived by then, reply to this message and I will follow it up with the bank for you.',
].join(' ');
const RULES: FakeRule[] = [
  { match: /Classify customer queries/, json: { intent: 'Billing Inquiry' } },
  { match: 'You are a billing specialist', text: ANSWER },
];
const CONFIG = { intents: DEFAULT_INTENTS, fallback: DEFAULT_FALLBACK };
const CLI_ENTRY = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/**
 * Streaming (issue 15): how much sooner a reader of `braid route` sees its answer when it streams,
 * in-process and as the CLI on a terminal, on a fake provider that writes each token after
 * `latencyPerTokenMs`; and what a streamed step costs on top of the AI SDK's `streamText` it makes.
 *
 * @example
 * const { tables, targets } = await runStreamingBench({ onProgress: console.error });
 */
export async function runStreamingBench({
  latencyPerTokenMs = 10,
  routes = 8,
  cliRuns = 3,
  overheadCalls = 300,
  overheadWarmupCalls = 50,
  onProgress = () => {},
}: StreamingBenchOptions = {}): Promise<StreamingBenchReport> {
  onProgress(`streaming 1/3: routeQuery in-process, ${routes} routes each way, ${latencyPerTokenMs} ms per token`);
  const library = await withFakeProvider({ latencyPerTokenMs, rules: RULES }, (server, model) => measureRoutes(server, model, routes));
  onProgress(`  streamed: first text ${formatNumber(library.streamed.firstTextMs)} ms, answer ${formatNumber(library.streamed.answerMs)} ms; whole: ${formatNumber(library.whole.answerMs)} ms`);

  onProgress(`streaming 2/3: braid route in a pseudo-terminal and piped, ${cliRuns} runs each`);
  const cli = await withFakeProvider({ latencyPerTokenMs, rules: RULES }, (server) => measureCli(server, cliRuns));
  onProgress(`  terminal: first text ${formatNumber(cli.terminal.firstTextMs)} ms, answer ${formatNumber(cli.terminal.answerMs)} ms; piped: ${formatNumber(cli.piped.answerMs)} ms`);

  onProgress(`streaming 3/3: overhead per streamed step, ${overheadCalls} calls each after ${overheadWarmupCalls} warm-up calls, 0 ms latency`);
  const overhead = await measureStreamOverhead(overheadCalls, overheadWarmupCalls);
  const added = {
    meanWall: overhead.braid.meanWall - overhead.raw.meanWall,
    medianWall: overhead.braid.medianWall - overhead.raw.medianWall,
    medianCpu: overhead.braid.medianCpu - overhead.raw.medianCpu,
  };
  onProgress(`  streamText ${formatNumber(overhead.raw.medianCpu)} µs CPU, braid.stream ${formatNumber(overhead.braid.medianCpu)} µs CPU per step (medians)`);

  const answerTokens = Math.ceil(ANSWER.length / 4);
  const ttftTable: BenchTable = {
    title: `Streaming 1 — time to first token vs the full answer: braid route, ${answerTokens}-token answer, ${latencyPerTokenMs} ms per token on the fake (medians)`,
    columns: ['contender', 'first answer text ms', 'full answer ms', 'first ÷ full'],
    rows: [
      ['routeQuery, streamed (onAnswerStream), in-process', formatNumber(library.streamed.firstTextMs), formatNumber(library.streamed.answerMs), formatRatio(library.streamed.firstTextMs / library.streamed.answerMs)],
      ['routeQuery, whole answer (step), in-process', formatNumber(library.whole.answerMs), formatNumber(library.whole.answerMs), formatRatio(1)],
      ['braid route on a terminal (streams), from spawn', formatNumber(cli.terminal.firstTextMs), formatNumber(cli.terminal.answerMs), formatRatio(cli.terminal.firstTextMs / cli.terminal.answerMs)],
      ['braid route piped (whole), from spawn', formatNumber(cli.piped.answerMs), formatNumber(cli.piped.answerMs), formatRatio(1)],
    ],
    notes: [
      'first answer text = the first character of the handler\'s answer (in-process: its first text event; CLI: on the terminal or the pipe).',
      'the classifier step (not streamed) comes first in every row; the CLI rows include starting Node and tsx.',
    ],
  };
  const costCells = (cost: StepCost) => [formatNumber(cost.meanWall), formatNumber(cost.medianWall), formatNumber(cost.medianCpu)];
  const overheadTable: BenchTable = {
    title: `Streaming 2 — overhead per streamed step: ${overheadCalls} calls each, interleaved, after ${overheadWarmupCalls} warm-up calls, 0 ms fake latency`,
    columns: ['contender', 'mean µs', 'median µs', 'median CPU µs'],
    rows: [
      ['streamText + Output.object (AI SDK), partials read, output awaited', ...costCells(overhead.raw)],
      ['braid.stream (same prompt and schema), partialStream read, value awaited', ...costCells(overhead.braid)],
      ['braid.stream − streamText', ...costCells(added)],
    ],
    notes: [
      'braid adds its limiter, cost cap, spans, journal access, the event log its readers read, and the text read through onChunk; the partials are the SDK\'s own.',
      'CPU = this process\'s user + system time per step (the in-process fake\'s share is the same for both); wall times also carry the load of other processes.',
    ],
  };
  const targets: TargetCheck[] = [
    {
      target: 'streaming: braid.stream overhead < 1 ms per step (median CPU time)',
      measured: `${formatNumber(added.medianCpu)} µs CPU median; wall ${formatNumber(added.medianWall)} µs median, ${formatNumber(added.meanWall)} µs mean`,
      isMet: added.medianCpu < 1000,
    },
    {
      target: 'streaming: braid route shows the answer before it is whole',
      measured: `first text at ${formatRatio(cli.terminal.firstTextMs / cli.terminal.answerMs)} of the full answer (terminal), ${formatRatio(library.streamed.firstTextMs / library.streamed.answerMs)} in-process`,
      isMet: cli.terminal.firstTextMs < cli.terminal.answerMs && library.streamed.firstTextMs < library.streamed.answerMs,
    },
  ];
  return { tables: [ttftTable, overheadTable], targets };
}

interface Timing {
  firstTextMs: number;
  answerMs: number;
}

/** The support router in-process, streamed and not, alternating so drift hits both alike. */
async function measureRoutes(_server: FakeProvider, model: Parameters<typeof createRuntime>[0]['model'], routes: number): Promise<{ streamed: Timing; whole: Timing }> {
  const streamed: Timing[] = [];
  const whole: Timing[] = [];
  for (let index = 0; index < routes; index += 1) {
    const braid = createRuntime({ model });
    const startedAt = performance.now();
    let firstTextAt = Number.NaN;
    let printing: Promise<void> | undefined;
    await routeQuery(braid, QUERY, CONFIG, {
      onAnswerStream: (answer) => {
        printing = (async () => {
          for await (const text of answer.textStream) if (text !== '' && Number.isNaN(firstTextAt)) firstTextAt = performance.now();
        })();
      },
    });
    await printing;
    streamed.push({ firstTextMs: firstTextAt - startedAt, answerMs: performance.now() - startedAt });

    const waited = createRuntime({ model });
    const waitedAt = performance.now();
    await routeQuery(waited, QUERY, CONFIG);
    const answerMs = performance.now() - waitedAt;
    whole.push({ firstTextMs: answerMs, answerMs });
  }
  return { streamed: medianOf(streamed), whole: medianOf(whole) };
}

/** `braid route` as a person runs it: on a terminal (util-linux `script`), and piped. */
async function measureCli(server: FakeProvider, runs: number): Promise<{ terminal: Timing; piped: Timing }> {
  const home = await mkdtemp(join(tmpdir(), 'braid-bench-stream-'));
  try {
    const args = [process.execPath, '--import', 'tsx', CLI_ENTRY, 'route', QUERY, '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL];
    const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
    const terminal: Timing[] = [];
    const piped: Timing[] = [];
    for (let index = 0; index < runs; index += 1) {
      terminal.push(await timeAnswer('script', ['--quiet', '--return', '--command', `stty cols 200 rows 50; exec ${args.map(quote).join(' ')}`, '/dev/null'], home));
      piped.push(await timeAnswer(args[0]!, args.slice(1), home));
    }
    return { terminal: medianOf(terminal), piped: medianOf(piped) };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Spawns a process and times when the answer's first words, and its last, appear in its output. */
function timeAnswer(file: string, args: readonly string[], home: string): Promise<Timing> {
  const firstWords = ANSWER.slice(0, 12);
  const lastWords = ANSWER.slice(-12);
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH ?? '', HOME: home, BRAID_HOME: join(home, 'braid'), BRAID_OFFLINE: '1', OPENAI_API_KEY: 'sk-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let firstTextMs = Number.NaN;
    let answerMs = Number.NaN;
    child.stdout.setEncoding('utf8').on('data', (piece: string) => {
      output += piece;
      const now = performance.now() - startedAt;
      // the first streamed piece is shorter than `firstWords`: any text after the heading counts
      if (Number.isNaN(firstTextMs) && (output.includes(firstWords) || /Intent: [^\r\n]*\r?\n\r?\n\S/.test(output))) firstTextMs = now;
      if (Number.isNaN(answerMs) && output.includes(lastWords)) answerMs = now;
    });
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0 || Number.isNaN(answerMs)) reject(new Error(`braid route exited ${code} without the answer: ${output.slice(-300)}`));
      else resolve({ firstTextMs, answerMs });
    });
  });
}

const Answer = z.object({ answer: z.string().max(600), followUp: z.boolean() });
const INSTRUCTIONS = 'You answer customer questions. Answer in JSON exactly as the schema asks.';

/** One contender's cost per streamed step, in microseconds. */
interface StepCost {
  meanWall: number;
  medianWall: number;
  /** This process's CPU time (user + system) per step: the fake's share is the same for both contenders, and other processes' load does not count. */
  medianCpu: number;
}

/**
 * What `braid.stream` costs on top of the `streamText` call it makes: both stream the same
 * structured answer from a 0-latency fake, read every partial and await the validated value,
 * interleaved so drift hits both alike.
 */
async function measureStreamOverhead(calls: number, warmupCalls: number): Promise<{ raw: StepCost; braid: StepCost }> {
  return withFakeProvider({ latencyMs: 0, seed: 5 }, async (_server, model) => {
    const braid = createRuntime({ model, name: 'stream-overhead' });
    const rawCall = async () => {
      const result = streamText({ model, instructions: INSTRUCTIONS, prompt: QUERY, output: Output.object({ schema: Answer }), maxRetries: 0 });
      for await (const partial of result.partialOutputStream) void partial;
      return result.output;
    };
    const braidCall = async () => {
      const stream = braid.stream({ name: 'answer', system: INSTRUCTIONS, prompt: QUERY, schema: Answer });
      for await (const partial of stream.partialStream) void partial;
      return stream.value;
    };
    for (let index = 0; index < warmupCalls; index += 1) {
      await rawCall();
      await braidCall();
    }
    const samples = { raw: { wall: [] as number[], cpu: [] as number[] }, braid: { wall: [] as number[], cpu: [] as number[] } };
    const time = async (call: () => Promise<unknown>, into: { wall: number[]; cpu: number[] }) => {
      const cpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      await call();
      into.wall.push((performance.now() - startedAt) * 1000);
      const cpu = process.cpuUsage(cpuBefore);
      into.cpu.push(cpu.user + cpu.system);
    };
    for (let index = 0; index < calls; index += 1) {
      if (index % 2 === 0) {
        await time(rawCall, samples.raw);
        await time(braidCall, samples.braid);
      } else {
        await time(braidCall, samples.braid);
        await time(rawCall, samples.raw);
      }
    }
    braid.finish();
    const costOf = ({ wall, cpu }: { wall: number[]; cpu: number[] }): StepCost => ({
      meanWall: wall.reduce((sum, value) => sum + value, 0) / Math.max(1, wall.length),
      medianWall: median(wall),
      medianCpu: median(cpu),
    });
    return { raw: costOf(samples.raw), braid: costOf(samples.braid) };
  });
}

function medianOf(timings: readonly Timing[]): Timing {
  return { firstTextMs: median(timings.map((timing) => timing.firstTextMs)), answerMs: median(timings.map((timing) => timing.answerMs)) };
}
