import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where braid keeps its databases (the run store, the sample orders): `BRAID_HOME`, else
 * `braid` in the XDG data folder (`$XDG_DATA_HOME`, by default `~/.local/share`).
 *
 * @example
 * dataDirectory({ XDG_DATA_HOME: '/data' }); // '/data/braid'
 */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BRAID_HOME) return env.BRAID_HOME;
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'braid');
}
