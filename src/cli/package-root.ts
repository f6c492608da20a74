import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * braid's own install folder, found by walking up from this module: the same code runs from
 * `src/` under tsx and bundled from `dist/`, at different depths.
 */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json')) && existsSync(join(directory, 'samples'))) return directory;
    if (dirname(directory) === directory) throw new Error(`braid's package folder was not found above ${from}`);
  }
}
