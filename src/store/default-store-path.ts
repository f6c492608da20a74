import { join } from 'node:path';
import { dataDirectory } from './data-directory.js';

/**
 * The run store a CLI run uses when `--store` is not given: `runs.db` in the data directory.
 *
 * @example
 * const store = openRunStore(flags.store ?? defaultStorePath());
 */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDirectory(env), 'runs.db');
}
