import { availableParallelism, freemem } from 'node:os';

/** What the machine offers, as measured; tests pass their own. */
export interface MachineFacts {
  /** Logical cores this process may use. @default os.availableParallelism() */
  cores?: number;
  /** Free memory in bytes. @default os.freemem() */
  freeMemoryBytes?: number;
}

/** Engine settings derived from the machine and the model. */
export interface MachineDefaults {
  /** Threads for token evaluation. */
  threads: number;
  /** Context sequences, i.e. calls that can run at once in the shared context. */
  sequences: number;
  /** Context size per sequence: node-llama-cpp picks the largest in this range that fits in memory. */
  contextSize: { min: number; max: number };
}

const GIBIBYTE = 1024 ** 3;
// braid's steps are short prompts; a context past this only costs memory per sequence
const CONTEXT_SIZE_CAP = 8192;
const CONTEXT_SIZE_FLOOR = 1024;

/**
 * Threads, sequences and context size for this machine and model.
 *
 * Threads are one fewer than the cores (at least one): llama.cpp's default of 4 threads on a
 * 2-core machine measured about 100 times slower than 1 thread, because the threads spin-wait
 * on each other while the event loop competes for the same cores.
 *
 * @example
 * getMachineDefaults({ trainContextSize: 32768 }, { cores: 8, freeMemoryBytes: 16 * 1024 ** 3 })
 * // { threads: 7, sequences: 4, contextSize: { min: 1024, max: 8192 } }
 */
export function getMachineDefaults(
  { trainContextSize }: { trainContextSize: number | undefined },
  { cores = availableParallelism(), freeMemoryBytes = freemem() }: MachineFacts = {},
): MachineDefaults {
  const threads = Math.max(1, cores - 1);
  // batched decoding makes an extra sequence nearly free on CPU, but each one holds its own KV cache
  const sequencesForCores = Math.min(4, Math.max(2, cores));
  const sequences = freeMemoryBytes < 2 * GIBIBYTE ? Math.min(2, sequencesForCores) : sequencesForCores;
  const max = Math.max(CONTEXT_SIZE_FLOOR, Math.min(trainContextSize ?? 4096, CONTEXT_SIZE_CAP));
  return { threads, sequences, contextSize: { min: Math.min(CONTEXT_SIZE_FLOOR, max), max } };
}
