import { createRuntime, type Runtime } from '../core/runtime.js';
import type { Span } from '../core/span.js';
import { createModel } from '../providers/create-model.js';
import type { LocalEngine } from '../providers/local/local-engine.js';
import { defaultModelSpec, parseModelSpec } from '../providers/model-spec.js';
import { defaultStorePath } from '../store/default-store-path.js';
import { openRunStore, type RunStore } from '../store/run-store.js';
import { InputError } from '../workflows/input-error.js';
import type { EngineFlags } from './engine-flags.js';
import { CLOUD_PROMPT_CHARACTERS, CLOUD_TIMEOUT_MS, LOCAL_TIMEOUT_MS, localPromptCharacters } from './model-defaults.js';

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
  const modelSpec = flags.model ?? defaultModelSpec(env);
  const isLocal = parseModelSpec(modelSpec).provider === 'local';
  // node-llama-cpp takes a while to import: only a local run pays for it
  const engine: LocalEngine | undefined = isLocal
    ? (await import('../providers/local/local-engine.js')).createLocalEngine({ env })
    : undefined;
  const model = createModel(modelSpec, { baseURL: flags.baseUrl, env, local: engine });
  // load (or download) the local model up front: a missing file fails before any work starts
  const localPath = parseModelSpec(modelSpec).model;
  const localInfo = engine ? await engine.load(localPath === '' ? undefined : localPath) : undefined;
  const store = openRunStore(flags.store ?? defaultStorePath(env));
  if (flags.resume !== undefined && !store.getRun(flags.resume)) {
    store.close();
    throw new InputError(`no run ${flags.resume} to resume in ${flags.store ?? defaultStorePath(env)}; braid runs lists them`);
  }
  const braid = createRuntime({
    model,
    name: workflow,
    limits: { concurrency: flags.concurrency ?? localInfo?.sequences, rpm: flags.rpm, tpm: flags.tpm },
    timeoutMs: flags.timeout ?? (isLocal ? LOCAL_TIMEOUT_MS : CLOUD_TIMEOUT_MS),
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
  store.startRun({ runId: braid.runId, workflow, command: withoutRunFlags(process.argv.slice(2)), model: modelSpec });
  return {
    braid,
    store,
    modelSpec,
    isLocal,
    promptBudgetCharacters: localInfo ? localPromptCharacters(localInfo.contextSize) : CLOUD_PROMPT_CHARACTERS,
    async close() {
      store.close();
      await engine?.dispose();
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
