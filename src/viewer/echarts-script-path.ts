import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the one ECharts file the viewer page loads (see tsup.config.ts). */
const BUNDLED = join('vendor', 'echarts', 'echarts.min.js');

/**
 * The ECharts script the viewer serves. The published package carries the one file it needs
 * under `dist/vendor/echarts/` (the whole echarts package is 62 MB, most of a cloud-only
 * install); a checkout running from `src/` reads it from the echarts devDependency.
 */
export function echartsScriptPath(from = dirname(fileURLToPath(import.meta.url))): string {
  // the bundle puts this code in dist/ or dist/cli/: look there and one level up
  for (const directory of [from, dirname(from)]) {
    const bundled = join(directory, BUNDLED);
    if (existsSync(bundled)) return bundled;
  }
  return createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
}
