import { defineConfig } from 'tsup';

export default defineConfig({
  // the distributed mode is its own entry, so `import 'braid'` never loads BullMQ
  entry: { index: 'src/index.ts', 'apps/index': 'src/workflows/index.ts', 'distributed/index': 'src/distributed/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: 'esm',
  target: 'node22',
  dts: { entry: { index: 'src/index.ts', 'apps/index': 'src/workflows/index.ts', 'distributed/index': 'src/distributed/index.ts' } },
  clean: true,
  sourcemap: true,
});
