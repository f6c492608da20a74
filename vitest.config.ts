import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// the tiny random-weight GGUF that every developer and CI has beside the project; an explicit
// BRAID_LOCAL_MODEL wins. Local-model tests skip, saying so, when neither exists.
const sharedTestModel = resolve(import.meta.dirname, '..', 'shared', 'models', 'llama-2-tiny-random.gguf');
const localModel = process.env.BRAID_LOCAL_MODEL ?? (existsSync(sharedTestModel) ? sharedTestModel : undefined);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the promises the types make (a handler per intent, a worker per task type, typed chains) are tests too
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './test/tsconfig.types.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the local model and child-process tests are CPU-heavy on 2 cores
    maxWorkers: 2,
    setupFiles: ['test/support/quiet-ai-sdk-warnings.ts'],
    env: localModel ? { BRAID_LOCAL_MODEL: localModel } : {},
  },
});
