import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'tsup';

export default defineConfig((options) => ({
  // the distributed mode is its own entry, so `import 'braid'` never loads BullMQ
  entry: { index: 'src/index.ts', 'apps/index': 'src/workflows/index.ts', 'distributed/index': 'src/distributed/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: 'esm',
  target: 'node22',
  dts: { entry: { index: 'src/index.ts', 'apps/index': 'src/workflows/index.ts', 'distributed/index': 'src/distributed/index.ts' } },
  clean: true,
  sourcemap: true,
  // the viewer serves one ECharts file: ship it (with its licence), not the 62 MB echarts package
  async onSuccess() {
    const echarts = dirname(createRequire(import.meta.url).resolve('echarts/package.json'));
    const vendor = join(options.outDir ?? 'dist', 'vendor', 'echarts');
    await mkdir(vendor, { recursive: true });
    for (const file of ['dist/echarts.min.js', 'LICENSE', 'NOTICE']) await copyFile(join(echarts, file), join(vendor, file.replace('dist/', '')));
  },
}));
