import { MissingSettingError } from '../core/errors.js';
import { modelKeyOf } from '../core/model-key.js';
import { DEFAULT_PRICES, findPrice } from '../core/prices.js';
import { createLimiterRegistry } from '../core/limiter-registry.js';
import type { Runtime } from '../core/runtime.js';
import type { Span } from '../core/span.js';
import { defaultStorePath } from '../store/default-store-path.js';
import { defaultLimitsPath, openLimitsFile } from '../store/limits-file.js';
import { openRunStore, type RunStore } from '../store/run-store.js';
import { resume, startRun } from '../store/start-run.js';
import type { EngineFlags } from './engine-flags.js';
import { openCliModel } from './open-cli-model.js';
import { readPriceFile } from './read-price-file.js';
import { redactSecrets } from '../core/redact-secrets.js';

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

/** What a CLI run is: its workflow, and the inputs that shape its output (a reused run id must match them). */
export interface CliRunIdentity {
  workflow: string;
  input: Record<string, unknown>;
}

/**
 * The one run of a CLI process: the model from `--model`/`BRAID_MODEL` (or the default), its
 * limits, trace file and cancellation, and the local engine when the model is local; started in
 * (or, with `--run-id`/`--resume`, taken up again from) the run store.
 */
export async function openCliRuntime(
  flags: EngineFlags,
  { identity, signal, onSpan, env = process.env }: { identity: CliRunIdentity; signal: AbortSignal; onSpan?: (span: Span) => void; env?: NodeJS.ProcessEnv },
): Promise<CliRuntime> {
  const prices = flags.prices === undefined ? undefined : await readPriceFile(flags.prices);
  const cliModel = await openCliModel(flags, env);
  let store: RunStore | undefined;
  try {
    // a cap that cannot price the model would refuse every call: say so before the first one
    const modelKey = modelKeyOf(cliModel.model);
    if (flags.maxCost !== undefined && !findPrice({ ...DEFAULT_PRICES, ...prices }, modelKey)) {
      throw new MissingSettingError('prices', `--max-cost needs a price for ${modelKey}: give it with --prices FILE ({"${modelKey}": {"input": 0.4, "output": 1.6}}, USD per million tokens)`);
    }
    store = openRunStore(flags.store ?? defaultStorePath(env));
    const options = {
      model: cliModel.model,
      workflow: identity.workflow,
      input: identity.input,
      // what is not configured is learned, and kept for the next run
      limiters: createLimiterRegistry(
        { concurrency: flags.concurrency ?? cliModel.localSequences, rpm: flags.rpm, tpm: flags.tpm },
        { memory: cliModel.isLocal ? undefined : openLimitsFile(defaultLimitsPath(env)) },
      ),
      timeoutMs: flags.timeout ?? cliModel.defaultTimeoutMs,
      maxCostUsd: flags.maxCost,
      prices,
      traceFile: flags.trace,
      signal,
      onSpan,
      cache: flags.cache === true,
      // the command line is kept so `braid resume` / `braid retry` can run the same work again
      command: withoutRunFlags(process.argv.slice(2)).map((argument) => redactSecrets(argument)),
      modelName: cliModel.modelSpec,
      strictResume: flags.strictResume === true,
      // spans go to the store (and --trace); holding them all too would make a big batch's memory grow with it
      retainSpans: false,
    };
    const braid = flags.resume !== undefined ? resume(store, flags.resume, options) : startRun(store, { ...options, runId: flags.runId });
    const opened = store;
    return {
      braid,
      store: opened,
      modelSpec: cliModel.modelSpec,
      isLocal: cliModel.isLocal,
      promptBudgetCharacters: cliModel.promptBudgetCharacters,
      async close() {
        opened.close();
        await cliModel.dispose();
      },
    };
  } catch (error) {
    store?.close();
    await cliModel.dispose();
    throw error;
  }
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
