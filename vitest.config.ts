import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the local model and child-process tests are CPU-heavy on 2 cores
    fileParallelism: true,
    maxWorkers: 2,
  },
});
