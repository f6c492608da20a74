import { createRuntime, type Runtime } from '../core/runtime.js';
import type { Span } from '../core/span.js';
import { defaultStorePath } from '../store/default-store-path.js';
import { openRunStore, type RunStore } from '../store/run-store.js';
import { InputError } from '../core/errors.js';
import type { EngineFlags } from './engine-flags.js';
import { openCliModel } from './open-cli-model.js';

export interface CliRuntime {
  braid: Runtime;
  /** The run journal, response cache and runs table of this process. */
  store: RunStore;
  modelSpec: string;
  isLocal: boolean;
  /** Characters of documents one prompt may carry with this model. */
  promptBudgetCharacters: number;
  close(): Promise<void>;
}

/** How long `--cache` answers stay valid. */
const CACHE_TTL_MS = 7 * 24 * 3_600_000;

/**
 * The one runtime of a CLI process: the model from `--model`/`BRAID_MODEL` (or the default),
 * its limits, trace file and cancellation, and the local engine when the model is local.
 */
export async function openCliRuntime(
  flags: EngineFlags,
  { workflow, signal, onSpan, env = process.env }: { workflow: string; signal: AbortSignal; onSpan?: (span: Span) => void; env?: NodeJS.ProcessEnv },
): Promise<CliRuntime> {
  const cliModel = await openCliModel(flags, env);
  const store = openRunStore(flags.store ?? defaultStorePath(env));
  if (flags.resume !== undefined && !store.getRun(flags.resume)) {
    store.close();
    await cliModel.dispose();
    throw new InputError(`no run ${flags.resume} to resume in ${flags.store ?? defaultStorePath(env)}; braid runs lists them`);
  }
  const braid = createRuntime({
    model: cliModel.model,
    name: workflow,
    limits: { concurrency: flags.concurrency ?? cliModel.localSequences, rpm: flags.rpm, tpm: flags.tpm },
    timeoutMs: flags.timeout ?? cliModel.defaultTimeoutMs,
    maxCostUsd: flags.maxCost,
    traceFile: flags.trace,
    runId: flags.resume ?? flags.runId,
    signal,
    onSpan: (span) => {
      store.recordSpan(span);
      onSpan?.(span);
    },
    journal: store.journal,
    cache: flags.cache ? store.responseCache({ ttlMs: CACHE_TTL_MS }) : undefined,
  });
  // the command line is kept so `braid resume` / `braid retry` can run the same work again
  store.startRun({ runId: braid.runId, workflow, command: withoutRunFlags(process.argv.slice(2)), model: cliModel.modelSpec });
  return {
    braid,
    store,
    modelSpec: cliModel.modelSpec,
    isLocal: cliModel.isLocal,
    promptBudgetCharacters: cliModel.promptBudgetCharacters,
    async close() {
      store.close();
      await cliModel.dispose();
    },
  };
}

/** The argv without `--run-id`/`--resume` and their values: a resumed run gets its id back separately. */
function withoutRunFlags(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--run-id' || argument === '--resume') index += 1;
    else if (!argument.startsWith('--run-id=') && !argument.startsWith('--resume=')) kept.push(argument);
  }
  return kept;
}
