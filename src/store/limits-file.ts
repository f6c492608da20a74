import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { LearnedLimits, LimitMemory } from '../core/limit-memory.js';
import { dataDirectory } from './data-directory.js';

const LearnedBudgetSchema = z.object({
  perWindow: z.number().positive().optional(),
  windowMs: z.number().positive().optional(),
  perSecond: z.number().positive().optional(),
  source: z.enum(['headers', '429 body', '429 rate']),
  detail: z.string().optional(),
  learnedAt: z.string(),
});

const LearnedLimitsSchema = z.object({
  requests: LearnedBudgetSchema.optional(),
  tokens: LearnedBudgetSchema.optional(),
  exhaustedQuota: z
    .object({ name: z.string(), limit: z.number().optional(), unit: z.enum(['requests', 'tokens']), at: z.string(), resetsAt: z.string().optional() })
    .optional(),
}) satisfies z.ZodType<LearnedLimits>;

const LimitsFileSchema = z.object({ version: z.literal(1), models: z.record(z.string(), LearnedLimitsSchema) });

/** Learned limits kept in a JSON file: the CLI's memory between runs. */
export interface LimitsFile extends LimitMemory {
  readonly path: string;
  /** Everything known, by `provider:model`. */
  list(): Record<string, LearnedLimits>;
  /** Forgets one model, or every model; returns whether anything was forgotten. */
  forget(modelKey?: string): boolean;
}

/** `limits.json` in braid's data directory. */
export function defaultLimitsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDirectory(env), 'limits.json');
}

/**
 * Opens (or will create) the file of learned limits: by default braid's own, `limits.json` in its data
 * directory, the file the CLI keeps. Every write reads the file again and changes
 * one model only, so processes running at the same time keep each other's models; the write goes to
 * a temporary file renamed over the old one, so a crash never leaves half a file. A file that cannot
 * be read counts as empty: it only makes the next run learn again.
 *
 * @example
 * const limiters = createLimiterRegistry({}, { memory: openLimitsFile() });
 */
export function openLimitsFile(path: string = defaultLimitsPath()): LimitsFile {
  let models = read(path);

  const write = (change: (current: Record<string, LearnedLimits>) => void): void => {
    models = read(path);
    change(models);
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ version: 1, models }, null, 2)}\n`);
    renameSync(temporary, path);
  };

  return {
    path,
    recall: (modelKey) => models[modelKey],
    remember(modelKey, limits) {
      write((current) => {
        current[modelKey] = limits;
      });
    },
    list: () => ({ ...models }),
    forget(modelKey) {
      const isKnown = modelKey === undefined ? Object.keys(read(path)).length > 0 : read(path)[modelKey] !== undefined;
      if (isKnown) {
        write((current) => {
          for (const key of Object.keys(current)) if (modelKey === undefined || key === modelKey) delete current[key];
        });
      }
      return isKnown;
    },
  };
}

function read(path: string): Record<string, LearnedLimits> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = LimitsFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.models : {};
  } catch {
    return {};
  }
}
